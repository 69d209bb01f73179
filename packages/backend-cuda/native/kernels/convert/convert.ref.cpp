// CPU twin of cast: bfloat16 round-to-nearest-even written out bit by bit (NaN kept quiet), independent of cuda_bf16.h.
#include <cstring>

#include "convert.cuh"

namespace apb {

namespace {

float roundThroughBf16(float x) {
  uint32_t bits = 0;
  std::memcpy(&bits, &x, 4);
  if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0) {
    bits |= 0x00400000u;  // NaN stays NaN (quiet)
  } else {
    const uint32_t lsb = (bits >> 16) & 1u;
    bits += 0x7fffu + lsb;  // round half to even on the 16 dropped bits
  }
  bits &= 0xffff0000u;
  float out = 0.0f;
  std::memcpy(&out, &bits, 4);
  return out;
}

}  // namespace

void castRef(float* out, const float* in, int64_t n, DType through) {
  for (int64_t i = 0; i < n; i++) out[i] = through == DType::BF16 ? roundThroughBf16(in[i]) : in[i];
}

}  // namespace apb
