#ifndef CHOREO_BENCH_MALLOC_COUNTER_H
#define CHOREO_BENCH_MALLOC_COUNTER_H

/// Starts (1) or stops (0) counting calls to malloc, calloc, realloc and the aligned allocators.
void choreo_bench_count_allocations(int enabled);

/// Allocation calls counted while counting was on, since the process started.
unsigned long long choreo_bench_allocations(void);

#endif
