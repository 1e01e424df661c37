// covet::ModelInfo: everything the non-template code needs to know about one model (a reflected
// struct): its table, its columns and their options. Built once per model type by
// covet::model_info<T>() (model.hpp) from Boost.Hana reflection and covet::meta<T>; SQL printing,
// schema and execution read only this, so they are compiled once, not per model.
#pragma once

#include <covet/relation_options.hpp>
#include <covet/value.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
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

struct ModelInfo;

namespace detail {
struct FieldOps;
struct RelationField;
// How non-template code reads and writes the objects of one model: one entry per column
// (FieldOps, in column order) and one per relation member (RelationField, in declaration order).
// Built once per model type by model.hpp; everything in cpp/src works through it.
struct ModelOps {
    const FieldOps* fields = nullptr;
    std::size_t count = 0;
    const RelationField* relations = nullptr;
    std::size_t relation_count = 0;
};
}  // namespace detail

enum class RelationKind { ForeignKey, OneToOne, ManyToMany };

// A relation declared on a model (a ForeignKey, OneToOne or ManyToMany member).
struct Relation {
    std::string field;  // the C++ member name: "author"
    RelationKind kind = RelationKind::ForeignKey;
    const ModelInfo& (*target)() = nullptr;   // the related model (built on first call)
    const ModelInfo& (*through)() = nullptr;  // ManyToMany with a custom through model
    std::optional<std::size_t> column;        // ForeignKey / OneToOne: the key column
    OnDelete on_delete = OnDelete::Unset;     // ForeignKey / OneToOne
    bool null = false;
    std::string related_name;  // as declared: "" for the default, "+" for none
    std::string to_field;      // the target's field the key holds; "" for its primary key
    std::optional<Value> default_key;  // what SET_DEFAULT writes
    std::string db_table;              // ManyToMany: the automatic junction table ("" default)
    Symmetry symmetrical = Symmetry::Default;
    std::size_t member = 0;  // index into ModelOps::relations
};

// A declared reverse side (covet::ReverseMany / covet::ReverseOne member): where the objects of
// another model's relation to this one are cached by prefetch_related / select_related.
struct ReverseField {
    std::string field;  // the member name, which is the relation's related_name
    bool one = false;   // ReverseOne (the reverse of a OneToOne)
    const ModelInfo& (*source)() = nullptr;  // the model that declares the relation
    std::size_t member = 0;                  // index into ModelOps::relations
};

// A to_attr member (covet::Prefetched<T>): a plain list prefetch_related may fill.
struct ListField {
    std::string field;
    const ModelInfo& (*target)() = nullptr;
    std::size_t member = 0;
};

struct ModelInfo {
    std::string name;   // the struct's name, e.g. "Author"
    std::string table;  // meta<T>::table, default: snake_case(name) + "s" ("BookCategory" -> "book_categorys")
    std::vector<Column> columns;  // in declaration order
    std::size_t primary_key = 0;  // index into columns
    std::vector<std::string> ordering;                     // field names, "-name" for descending
    std::vector<std::vector<std::string>> unique_together;  // field names
    std::vector<std::vector<std::string>> indexes;          // field names
    std::vector<Relation> relations;         // declared relations, in declaration order
    std::vector<ReverseField> reverse_fields;  // declared reverse sides
    std::vector<ListField> list_fields;        // declared to_attr lists
    detail::ModelOps ops;                      // reads and writes objects of this model

    // The column of a field, by C++ member name; nullptr if there is none.
    const Column* field(std::string_view name) const;
    // The relation declared by a member; nullptr if there is none.
    const Relation* relation(std::string_view field) const;
    // "covet: Book has no field 'pags' (fields: id, title, pages)": the one wording of that error.
    std::string no_field_message(std::string_view name) const;
};

// Every model whose ModelInfo has been built in this process (reverse relations are found here).
std::vector<const ModelInfo*> known_models();
namespace detail {
void remember_model(const ModelInfo& model);
}

}  // namespace covet
