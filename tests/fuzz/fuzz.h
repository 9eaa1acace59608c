/* What every harness defines: libFuzzer's entry points (replay.c calls them too). */
#ifndef HALLS_FUZZ_H
#define HALLS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: once, before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#endif
