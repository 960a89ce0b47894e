//===- Units.cpp - Physical dimensions and SI units -----------------------===//

#include "nnc/Frontend/Units.h"

#include <cmath>
#include <sstream>

using namespace nnc;

namespace {
enum Base { Metre, Kilogram, Second, Ampere, Kelvin, Mole, Candela };

Dim make(std::initializer_list<std::pair<Base, int>> exps) {
  Dim d;
  for (auto [base, power] : exps)
    d.exp[base] = 2 * power;
  return d;
}

struct NamedDim {
  const char *name;
  const char *symbol;
  Dim dim;
};

const std::vector<NamedDim> &namedDims() {
  static const std::vector<NamedDim> table = {
      {"time", "s", make({{Second, 1}})},
      {"voltage", "V",
       make({{Metre, 2}, {Kilogram, 1}, {Second, -3}, {Ampere, -1}})},
      {"current", "A", make({{Ampere, 1}})},
      {"conductance", "S",
       make({{Metre, -2}, {Kilogram, -1}, {Second, 3}, {Ampere, 2}})},
      {"resistance", "ohm",
       make({{Metre, 2}, {Kilogram, 1}, {Second, -3}, {Ampere, -2}})},
      {"capacitance", "F",
       make({{Metre, -2}, {Kilogram, -1}, {Second, 4}, {Ampere, 2}})},
      {"charge", "C", make({{Second, 1}, {Ampere, 1}})},
      {"frequency", "Hz", make({{Second, -1}})},
      {"voltage rate", "V/s",
       make({{Metre, 2}, {Kilogram, 1}, {Second, -4}, {Ampere, -1}})},
      {"concentration", "mol/m^3", make({{Metre, -3}, {Mole, 1}})},
      {"length", "m", make({{Metre, 1}})},
      {"area", "m^2", make({{Metre, 2}})},
      {"amount", "mol", make({{Mole, 1}})},
      {"temperature", "K", make({{Kelvin, 1}})},
  };
  return table;
}
} // namespace

Dim dims::time() { return make({{Second, 1}}); }
Dim dims::voltage() { return namedDims()[1].dim; }
Dim dims::current() { return namedDims()[2].dim; }
Dim dims::conductance() { return namedDims()[3].dim; }
Dim dims::capacitance() { return namedDims()[5].dim; }
Dim dims::frequency() { return make({{Second, -1}}); }

/// "m^2 kg s^-3 A^-1": the dimension in SI base units.
static std::string baseSymbols(const Dim &dim) {
  static const char *symbols[] = {"m", "kg", "s", "A", "K", "mol", "cd"};
  std::ostringstream os;
  bool first = true;
  for (unsigned i = 0; i < 7; ++i) {
    int twice = dim.exp[i];
    if (twice == 0)
      continue;
    os << (first ? "" : " ") << symbols[i];
    if (twice % 2 != 0)
      os << "^" << twice << "/2";
    else if (twice != 2)
      os << "^" << twice / 2;
    first = false;
  }
  return os.str();
}

std::string Dim::str() const {
  if (isDimensionless())
    return "dimensionless";
  for (const NamedDim &named : namedDims())
    if (named.dim == *this)
      return std::string(named.name) + " (" + named.symbol + ")";
  // Noise amplitudes: a named dimension times a half-integer power of time
  // ("voltage (V) s^-1/2") reads better than its base units.
  auto timeOnly = [](const Dim &d) {
    for (unsigned i = 0; i < 7; ++i)
      if (i != Second && d.exp[i] != 0)
        return false;
    return true;
  };
  for (const NamedDim &named : namedDims()) {
    Dim rest = *this / named.dim;
    if (!timeOnly(named.dim) && timeOnly(rest) && rest.exp[Second] % 2 != 0)
      return std::string(named.name) + " (" + named.symbol + ") " +
             baseSymbols(rest);
  }
  return baseSymbols(*this);
}

std::string Dim::symbol() const {
  if (isDimensionless())
    return "1";
  for (const NamedDim &named : namedDims())
    if (named.dim == *this)
      return named.symbol;
  return baseSymbols(*this);
}

namespace {
struct Prefix {
  const char *symbol;
  double scale;
};
const Prefix kPrefixes[] = {{"", 1.0},    {"k", 1e3},  {"M", 1e6},  {"G", 1e9},
                            {"c", 1e-2},  {"m", 1e-3}, {"u", 1e-6}, {"n", 1e-9},
                            {"p", 1e-12}, {"f", 1e-15}};

struct BaseUnit {
  const char *symbol;
  double scale;
  Dim dim;
  bool prefixable;
};

const std::vector<BaseUnit> &baseUnits() {
  static const std::vector<BaseUnit> table = {
      {"s", 1.0, dims::time(), true},
      {"V", 1.0, dims::voltage(), true},
      {"A", 1.0, dims::current(), true},
      {"S", 1.0, dims::conductance(), true},
      {"ohm", 1.0, namedDims()[4].dim, true},
      {"F", 1.0, dims::capacitance(), true},
      {"C", 1.0, namedDims()[6].dim, true},
      {"Hz", 1.0, dims::frequency(), true},
      {"m", 1.0, make({{Metre, 1}}), true},
      {"mol", 1.0, make({{Mole, 1}}), true},
      // Molar: mol per litre = 1000 mol/m^3.
      {"M", 1e3, make({{Metre, -3}, {Mole, 1}}), true},
      {"K", 1.0, make({{Kelvin, 1}}), false},
      {"g", 1e-3, make({{Kilogram, 1}}), true},
  };
  return table;
}
} // namespace

std::optional<Unit> nnc::lookupUnit(const std::string &name) {
  for (const BaseUnit &base : baseUnits()) {
    for (const Prefix &prefix : kPrefixes) {
      if (!base.prefixable && prefix.symbol[0] != '\0')
        continue;
      if (name == std::string(prefix.symbol) + base.symbol)
        return Unit{name, prefix.scale * base.scale, base.dim};
    }
  }
  return std::nullopt;
}

std::vector<std::string> nnc::allUnitNames() {
  std::vector<std::string> names;
  for (const BaseUnit &base : baseUnits())
    for (const Prefix &prefix : kPrefixes)
      if (base.prefixable || prefix.symbol[0] == '\0')
        names.push_back(std::string(prefix.symbol) + base.symbol);
  return names;
}
