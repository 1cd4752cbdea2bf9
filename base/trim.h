/* trim.h - give back the pages boot touched and the loop will not (docs/architecture.md, memory).
 */
#ifndef VMINIT_TRIM_H
#define VMINIT_TRIM_H

/* Drop this program's text and read-only data from the page tables: what
 * runs again faults back in from the page cache (locked again as it does
 * when relock). 0, or -1 with errno. */
int trim_text(int relock);

#endif
