//===- Npy.h - Reading NumPy .npy arrays at compile time --------*- C++ -*-===//
//
// Connection lists and input tables come from NumPy's `.npy` files (format
// versions 1-3). nnc reads them when it compiles, so a malformed file is a
// compile error at the declaration that names it, never a crash at run
// time.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_NPY_H
#define NNC_FRONTEND_NPY_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nnc {

/// A C-ordered array of numbers, converted to double.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<double> values;
  /// NumPy's type string, e.g. "<f8", "<i4", "|u1".
  std::string dtype;
  /// True for integer and boolean types.
  bool isInteger = false;
};

/// Parses the bytes of an .npy file. Supported: little-endian (or
/// byte-sized) bool, signed and unsigned integers of 1 to 8 bytes and
/// floats of 4 or 8 bytes, C order; at most 2^31 elements. On failure
/// returns false and says why in `error` (which names the offending
/// header field or dtype, without the file name).
bool parseNpy(llvm::StringRef bytes, NpyArray &array, std::string &error);

} // namespace nnc

#endif // NNC_FRONTEND_NPY_H
