// Holds all but FREE_MIB of GPU 0's memory until killed, so that a model of a few GB needs
// --n-cpu-moe on any card: the check then needs no 100 GB file. Built by gpu-check.sh.
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>
#include <unistd.h>

int main(int argc, char ** argv) {
  const size_t keep_free = (argc > 1 ? strtoull(argv[1], nullptr, 10) : 8192) * 1024ull * 1024ull;
  size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
    fprintf(stderr, "ballast: no CUDA device\n");
    return 1;
  }
  if (free_bytes <= keep_free) {
    printf("ballast: 0 MiB held (only %zu MiB free)\n", free_bytes >> 20);
  } else {
    void * held = nullptr;
    const size_t size = free_bytes - keep_free;
    if (cudaMalloc(&held, size) != cudaSuccess) {
      fprintf(stderr, "ballast: cudaMalloc of %zu MiB failed\n", size >> 20);
      return 1;
    }
    cudaMemset(held, 0, size);
    printf("ballast: %zu MiB held, %zu MiB left free\n", size >> 20, keep_free >> 20);
  }
  fflush(stdout);
  pause();
  return 0;
}
