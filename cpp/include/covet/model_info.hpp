// covet::ModelInfo: everything the non-template code needs to know about one model (a reflected
// struct): its table, its columns and their options. Built once per model type by
// covet::model_info<T>() (model.hpp) from Boost.Hana reflection and covet::meta<T>; SQL printing,
// schema and execution read only this, so they are compiled once, not per model.
#pragma once

#include <covet/value.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace covet {

// The SQLite type a field is stored as (its column's declared type and affinity).
enum class ColumnType { Integer, Real, Text, Blob };

struct Column {
    std::string field;  // the C++ member name
    std::string name;   // the column name (meta<T> may rename it; default: the field name)
    ColumnType type = ColumnType::Integer;
    bool nullable = false;     // std::optional<...>
    bool primary_key = false;  // a field named id, or the one meta<T> marks
    bool unique = false;
    std::optional<std::size_t> max_length;  // for text: checked before writing, and a CHECK constraint
    std::optional<Value> default_value;     // written by CREATE TABLE ... DEFAULT (create() writes the member)
    bool auto_now_add = false;              // set to now on insert (time points)
    bool auto_now = false;                  // set to now on every save
    bool email = false;                     // validated as an e-mail address
    bool url = false;                       // validated as a URL
    // Custom validators: return an error message for a bad value, or "" when it is fine.
    std::vector<std::function<std::string(const Value&)>> validators;
    // For enums stored as text: the allowed names (empty otherwise).
    std::vector<std::string> choices;
};

struct ModelInfo {
    std::string name;   // the struct's name, e.g. "Author"
    std::string table;  // meta<T>::table, default: snake_case(name) + "s" ("BookCategory" -> "book_categorys")
    std::vector<Column> columns;  // in declaration order
    std::size_t primary_key = 0;  // index into columns
    std::vector<std::string> ordering;                     // field names, "-name" for descending
    std::vector<std::vector<std::string>> unique_together;  // field names
    std::vector<std::vector<std::string>> indexes;          // field names

    // The column of a field, by C++ member name; nullptr if there is none.
    const Column* field(std::string_view name) const;
    // "covet: Book has no field 'pags' (fields: id, title, pages)": the one wording of that error.
    std::string no_field_message(std::string_view name) const;
};

}  // namespace covet
