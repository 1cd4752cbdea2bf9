/* fuzz_check.h - the one assertion of the fuzz targets: a property that does
 * not hold is a crash libFuzzer keeps, with the file, line, condition and a
 * message on stderr. */
#ifndef VMINIT_FUZZ_CHECK_H
#define VMINIT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                            \
			fputc('\n', stderr);                                     \
			abort();                                                 \
		}                                                                \
	} while (0)

#endif
