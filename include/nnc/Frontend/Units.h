//===- Units.h - Physical dimensions and SI units ---------------*- C++ -*-===//
//
// Every value in nnc carries a physical dimension: a vector of exponents of
// the seven SI base units. Quantities are stored in SI base units, so
// compatible units convert automatically (1 mV + 1 V is 1.001 V).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_UNITS_H
#define NNC_FRONTEND_UNITS_H

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

/// Exponents of (m, kg, s, A, K, mol, cd), stored doubled: a dimension may
/// have half-integer exponents, as white noise (`xi`, s^-1/2) and its
/// amplitudes do.
struct Dim {
  std::array<int, 7> exp{};

  static Dim dimensionless() { return Dim(); }
  static Dim base(unsigned index, int power = 1) {
    Dim d;
    d.exp[index] = 2 * power;
    return d;
  }
  /// The square root, if every exponent halves to a half-integer.
  std::optional<Dim> sqrt() const {
    Dim d;
    for (unsigned i = 0; i < 7; ++i) {
      if (exp[i] % 2 != 0)
        return std::nullopt;
      d.exp[i] = exp[i] / 2;
    }
    return d;
  }

  bool isDimensionless() const {
    for (int e : exp)
      if (e != 0)
        return false;
    return true;
  }
  Dim operator*(const Dim &o) const {
    Dim d;
    for (unsigned i = 0; i < 7; ++i)
      d.exp[i] = exp[i] + o.exp[i];
    return d;
  }
  Dim operator/(const Dim &o) const {
    Dim d;
    for (unsigned i = 0; i < 7; ++i)
      d.exp[i] = exp[i] - o.exp[i];
    return d;
  }
  Dim pow(int p) const {
    Dim d;
    for (unsigned i = 0; i < 7; ++i)
      d.exp[i] = exp[i] * p;
    return d;
  }
  bool operator==(const Dim &o) const { return exp == o.exp; }
  bool operator!=(const Dim &o) const { return exp != o.exp; }

  /// A readable name: "voltage (V)", "time (s)", "m^2 kg s^-3 A^-1", "1".
  std::string str() const;
  /// The SI symbol alone ("V", "S", "m^2 kg s^-3", "1"), e.g. for files.
  std::string symbol() const;
};

namespace dims {
Dim time();
Dim voltage();
Dim current();
Dim conductance();
Dim capacitance();
Dim frequency();
} // namespace dims

/// A named unit: its scale to SI base units and its dimension.
struct Unit {
  std::string name;
  double scale;
  Dim dim;
};

/// Looks up a unit name ("mV", "nS", "Hz", ...).
std::optional<Unit> lookupUnit(const std::string &name);

/// All unit names, for "did you mean" suggestions.
std::vector<std::string> allUnitNames();

} // namespace nnc

#endif // NNC_FRONTEND_UNITS_H
