//===- Npy.cpp - Reading NumPy .npy arrays at compile time ----------------===//
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a major and minor
// version byte, a little-endian header length (2 bytes in version 1, 4 in
// versions 2 and 3), then a Python dict literal such as
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }
// padded with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "nnc/Frontend/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

#include <cmath>
#include <cstring>

namespace nnc {
namespace {

/// The value of `key` in the header dict: the text up to the next
/// top-level ',' or '}' (a tuple counts as one value).
bool headerField(llvm::StringRef header, llvm::StringRef key,
                 llvm::StringRef &value) {
  for (char quote : {'\'', '"'}) {
    std::string pattern = std::string(1, quote) + key.str() + quote;
    size_t at = header.find(pattern);
    if (at == llvm::StringRef::npos)
      continue;
    llvm::StringRef rest = header.drop_front(at + pattern.size()).ltrim();
    if (!rest.consume_front(":"))
      return false;
    rest = rest.ltrim();
    int depth = 0;
    size_t end = 0;
    for (; end < rest.size(); ++end) {
      char c = rest[end];
      if (c == '(' || c == '[')
        ++depth;
      else if (c == ')' || c == ']')
        --depth;
      else if ((c == ',' || c == '}') && depth == 0)
        break;
    }
    value = rest.take_front(end).trim();
    return true;
  }
  return false;
}

/// 'text' or "text" without the quotes.
bool unquote(llvm::StringRef value, std::string &out) {
  if (value.size() < 2 || (value.front() != '\'' && value.front() != '"') ||
      value.back() != value.front())
    return false;
  out = value.drop_front().drop_back().str();
  return true;
}

} // namespace

bool parseNpy(llvm::StringRef bytes, NpyArray &array, std::string &error) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || !bytes.starts_with(llvm::StringRef(kMagic, 6))) {
    error = "not a NumPy .npy file (it does not start with \\x93NUMPY)";
    return false;
  }
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = llvm::support::endian::read16le(bytes.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      error = "the file ends inside its header";
      return false;
    }
    headerLength = llvm::support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  } else {
    error = "unsupported .npy format version " + std::to_string(major) +
            " (versions 1 to 3 are supported)";
    return false;
  }
  if (bytes.size() < headerStart + headerLength) {
    error = "the file ends inside its header";
    return false;
  }
  llvm::StringRef header = bytes.substr(headerStart, headerLength).trim();
  llvm::StringRef data = bytes.drop_front(headerStart + headerLength);

  llvm::StringRef descr, fortran, shape;
  if (!header.starts_with("{") || !headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", fortran) ||
      !headerField(header, "shape", shape)) {
    error = "malformed header '" + header.str() +
            "' (expected 'descr', 'fortran_order' and 'shape')";
    return false;
  }
  if (!unquote(descr, array.dtype)) {
    error = "structured arrays (dtype " + descr.str() +
            ") are not supported; save a plain numeric array";
    return false;
  }
  if (fortran == "True") {
    error = "the array is in Fortran order; save it in C order "
            "(numpy.ascontiguousarray)";
    return false;
  }
  if (fortran != "False") {
    error = "malformed 'fortran_order' value '" + fortran.str() + "'";
    return false;
  }

  // The shape: "()", "(5,)" or "(3, 2)".
  if (!shape.consume_front("(") || !shape.consume_back(")")) {
    error = "malformed shape '" + shape.str() + "'";
    return false;
  }
  array.shape.clear();
  uint64_t count = 1;
  llvm::SmallVector<llvm::StringRef, 4> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    uint64_t n;
    if (dim.getAsInteger(10, n)) {
      error = "malformed shape dimension '" + dim.str() + "'";
      return false;
    }
    array.shape.push_back(static_cast<int64_t>(n));
    count *= n;
    if (count > (1ull << 31)) {
      error = "the array has more than 2^31 elements";
      return false;
    }
  }

  // The element type: byte order, kind, size.
  llvm::StringRef type = array.dtype;
  if (type.size() < 3 || !llvm::StringRef("<|=>").contains(type[0])) {
    error = "unsupported dtype '" + array.dtype + "'";
    return false;
  }
  char order = type[0], kind = type[1];
  unsigned size;
  if (type.drop_front(2).getAsInteger(10, size) ||
      !llvm::StringRef("biuf").contains(kind) ||
      (kind == 'f' && size != 4 && size != 8) || (kind == 'b' && size != 1) ||
      (kind != 'f' && size != 1 && size != 2 && size != 4 && size != 8)) {
    error = "unsupported dtype '" + array.dtype +
            "' (supported: bool, integers and float32/float64)";
    return false;
  }
  if (order == '>' && size > 1) {
    error = "big-endian dtype '" + array.dtype +
            "' is not supported; save with a little-endian dtype ('<')";
    return false;
  }
  array.isInteger = kind != 'f';
  if (data.size() < count * size) {
    error = "the data is truncated: the shape needs " +
            std::to_string(count * size) + " bytes, the file has " +
            std::to_string(data.size());
    return false;
  }
  if (data.size() > count * size) {
    error = "the file has " + std::to_string(data.size() - count * size) +
            " bytes after the data the shape describes";
    return false;
  }

  namespace endian = llvm::support::endian;
  array.values.resize(count);
  const char *p = data.data();
  for (uint64_t k = 0; k < count; ++k, p += size) {
    double v = 0;
    switch (kind) {
    case 'f':
      if (size == 8) {
        uint64_t bits = endian::read64le(p);
        std::memcpy(&v, &bits, 8);
      } else {
        uint32_t bits = endian::read32le(p);
        float f;
        std::memcpy(&f, &bits, 4);
        v = f;
      }
      break;
    case 'b':
    case 'u':
      v = static_cast<double>(size == 1   ? static_cast<uint8_t>(*p)
                              : size == 2 ? endian::read16le(p)
                              : size == 4 ? endian::read32le(p)
                                          : endian::read64le(p));
      break;
    case 'i':
      v = static_cast<double>(
          size == 1   ? static_cast<int8_t>(*p)
          : size == 2 ? static_cast<int16_t>(endian::read16le(p))
          : size == 4 ? static_cast<int32_t>(endian::read32le(p))
                      : static_cast<int64_t>(endian::read64le(p)));
      break;
    }
    array.values[k] = v;
  }
  return true;
}

} // namespace nnc
