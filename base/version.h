/* version.h - vminit's version: printed by `vminit version`, sent in the
 * channel's hello and status, and in the health checks' User-Agent. */
#ifndef VMINIT_VERSION_H
#define VMINIT_VERSION_H

#define VMINIT_VERSION "0.1.0"

#endif
