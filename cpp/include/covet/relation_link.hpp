// covet::RelationLink: one direction of a relation, resolved against both models and named as the
// covet extension names it. Everything that crosses a relation (joins of filters and
// select_related, prefetch_related, lazy loads, the related managers, migrate's registration)
// works from these; they are computed by non-template code (cpp/src/relation_link.cpp).
//
//   Book.author (ForeignKey, related_name "books"):
//     forward  books.author:  Book -> Author, single,   books.author_id = authors.id
//     reverse  authors.books: Author -> Book, multiple, authors.id = books.author_id
//   Book.categories (ManyToMany, related_name "books"):
//     forward  books.categories:  Book -> Category through books_categories(book_id, category_id)
//     reverse  categories.books:  Category -> Book through the same junction, columns swapped
#pragma once

#include <covet/database_ref.hpp>
#include <covet/model_info.hpp>
#include <covet/relation_options.hpp>
#include <covet/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covet {

class Database;

struct RelationLink {
    const ModelInfo* from = nullptr;      // the model whose objects have the accessor
    const ModelInfo* to = nullptr;        // the related model
    const ModelInfo* declared_on = nullptr;  // the model that declares the relation
    const Relation* relation = nullptr;   // the declaring relation
    bool reverse = false;                 // traversed from its target back to the declaring model
    bool many = false;                    // several related objects per object
    bool optional = false;                // an object may have no related object (nullable key, reverse side)
    std::string name;      // the extension's name for related(): "books.author", "authors.books"
    std::string accessor;  // the field name on `from`: "author", "books" (reverse: the related_name)
    // The join: from.from_column = to.to_column, or, through the junction,
    // from.from_column = junction.junction_from AND junction.junction_to = to.to_column.
    const Column* from_column = nullptr;
    const Column* to_column = nullptr;
    std::string junction;
    std::string junction_from;
    std::string junction_to;

    bool through_junction() const { return !junction.empty(); }
};

namespace detail {

// The forward link of a relation declared on `model`.
RelationLink forward_link(const ModelInfo& model, const Relation& relation);
// The reverse link (from the relation's target back to `model`).
RelationLink reverse_link(const ModelInfo& model, const Relation& relation);
// A relation of `model` by accessor name: a declared relation ("author", "categories"), or the
// reverse of another known model's relation to it, by related_name ("books") or, without one,
// by the declaring model's snake_case name ("book", Django's related_query_name) or
// "<name>_set". nullopt if there is none.
std::optional<RelationLink> find_link(const ModelInfo& model, std::string_view name);
// The same, or a covet::UsageError naming the model, the name and the relations it has.
RelationLink require_link(const ModelInfo& model, std::string_view name);
// The names of the relations of `model` (forward and reverse), for error messages.
std::vector<std::string> relation_list(const ModelInfo& model);

// The name a lookup uses for the reverse of model's relation `field`: its related_name, or the
// model's snake_case name without one ("book", Django's related_query_name).
std::string reverse_query_name(const ModelInfo& model, std::string_view field);
// A self ManyToMany that is symmetrical: each pair is stored both ways.
bool is_symmetrical(const RelationLink& link);
// The keys as a JSON array (integers and text), for related() and json_each().
std::string keys_json(const std::vector<Value>& keys);

// The name of a relation in covet_relations: "<table>.<field>".
std::string relation_name(const ModelInfo& model, const Relation& relation);
// The reverse accessor: related_name, or "<model>_set" ("<model>" for a OneToOne); "" when the
// relation has none ("+", or a symmetrical self ManyToMany).
std::string reverse_accessor(const ModelInfo& model, const Relation& relation);
// The column of `target` a relation's key refers to (to_field, or its primary key).
const Column& target_key(const ModelInfo& model, const Relation& relation);
// The relation whose member is `member` (ModelOps::relations index) / the reverse field.
const Relation& relation_of_member(const ModelInfo& model, std::size_t member);
const ReverseField& reverse_of_member(const ModelInfo& model, std::size_t member);
// The link a declared reverse member (ReverseMany / ReverseOne) stands for.
RelationLink reverse_field_link(const ModelInfo& model, const ReverseField& field);

// ---- Support for the relation member templates (relation_access.cpp) -----------------------------

// How a relation member is named in messages: "Book.author" once its object has been read or
// saved (owner known), else "a ForeignKey to Author".
std::string member_label(const ModelInfo* owner, std::size_t member, std::string_view kind, const ModelInfo& target);
// The Database a member loads from; covet::Error naming it when it has none or it was closed.
Database& relation_database(const DatabaseRef& ref, const std::string& label);
// The column of `target` named by to_field ("" : its primary key).
const Column& key_column(const ModelInfo& target, std::string_view to_field);
// Reads the row of `target` whose `column` equals `key` into `object` (an object of target) and
// attaches its relations; RelatedObjectDoesNotExist naming the member (member_label(owner,
// member, kind, target), built only when needed) when there is no such row.
void load_object(Database& db, const ModelInfo& target, const Column& column, const Value& key, void* object,
                 std::uint64_t origin, const ModelInfo* owner, std::size_t member, std::string_view kind);
// Like load_object, false when there is none.
bool find_object(Database& db, const ModelInfo& target, const Column& column, const Value& key, void* object,
                 std::uint64_t origin);
[[noreturn]] void throw_null_relation(const std::string& label, const ModelInfo& target);
// Adds the description of a relation member to a model being built (RelationOps::describe).
void describe_to_one(ModelInfo& info, std::string_view field, std::size_t member, RelationKind kind,
                     const RelationOptions& options, const ModelInfo& (*target)());
void describe_many_to_many(ModelInfo& info, std::string_view field, std::size_t member,
                           const ManyToManyOptions& options, const ModelInfo& (*target)(),
                           const ModelInfo& (*through)());
void describe_reverse(ModelInfo& info, std::string_view field, std::size_t member, bool one,
                      const ModelInfo& (*source)());
void describe_list(ModelInfo& info, std::string_view field, std::size_t member, const ModelInfo& (*target)());

}  // namespace detail
}  // namespace covet
