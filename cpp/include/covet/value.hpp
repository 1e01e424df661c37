// covet::Value: one SQLite value, as the non-template parts of covet (SQL printing, statement
// execution) see it. Model fields are converted to and from it by field_traits (field.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace covet {

using Blob = std::vector<std::byte>;

// NULL, INTEGER, REAL, TEXT, BLOB: SQLite's five storage classes, in that order.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

// How a value is written in an error message: 42, 3.5, 'text', x'00ff', NULL.
std::string describe(const Value& value);

}  // namespace covet
