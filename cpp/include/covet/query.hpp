// covet::Query: the typed, non-template DESCRIPTION of a query on one model. It holds no SQL:
// sql_printer.hpp turns it into SQL text + bound parameters, and execution is apart from both.
// QuerySet<T> and the typed filters f<&T::x> are thin template wrappers that build these values.
//
//   const covet::ModelInfo& book = ...;
//   covet::Query q = covet::Query(book)
//                        .filter(covet::Q("pages__gte", 100) && !covet::Q("title__icontains", "draft"))
//                        .exclude(covet::Filter("published", covet::Lookup::IsNull, {true}))
//                        .order_by({"-pages", "title"})
//                        .slice(0, 10);
//   covet::Sql sql = covet::print_select(q);  // sql.text, sql.params
//
// Everything here is an immutable value: every builder returns a new Query and copying one is a
// reference-count increment. Field names are C++ member names (Column::field), never column names;
// "pk" names the primary key. A field path crosses relations with "__" ("author__email",
// "categories__name", "books__pages" for a reverse relation), as Django's lookups do.
#pragma once

#include <covet/model_info.hpp>
#include <covet/relation_link.hpp>
#include <covet/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace covet {

// Django's field lookups, with Django's names ("exact", "iexact", ..., "range").
enum class Lookup {
    Exact,        // = ?, or IS NULL for a NULL value
    IExact,       // LIKE, ASCII case-insensitive
    Contains,     // case-sensitive: instr(col, ?) > 0
    IContains,    // LIKE '%v%', ASCII case-insensitive
    StartsWith,   // case-sensitive
    IStartsWith,  // LIKE 'v%'
    EndsWith,     // case-sensitive
    IEndsWith,    // LIKE '%v'
    Gt,
    Gte,
    Lt,
    Lte,
    In,      // any number of values; none: matches nothing
    IsNull,  // one value: true (an integer != 0) or false
    Range,   // two values: BETWEEN ? AND ?
};

// Every lookup, in declaration order.
std::span<const Lookup> all_lookups();
// "exact", "icontains", ...
std::string_view lookup_name(Lookup lookup);
// The lookup of a Django name; nullopt if there is none.
std::optional<Lookup> lookup_from_name(std::string_view name);

// One leaf condition: <field path> <lookup> <values>.
struct Condition {
    std::vector<std::string> path;  // field names, one per relation hop: {"pages"}, {"author", "email"}
    Lookup lookup = Lookup::Exact;
    std::vector<Value> values;  // 1 value; In: any number; Range: 2; IsNull: 1 (true/false)

    // The Django spelling: "pages__gte", "title" (exact is left out).
    std::string expression() const;
};

// A boolean expression tree of conditions, combined with &&, || and !. Immutable and shared:
// copying is cheap. Each constructor checks the number of values for the lookup.
class Filter {
public:
    enum class Kind { Condition, And, Or, Not };

    explicit Filter(Condition condition);
    // `field` is a field name or a "__"-separated path ("author__email").
    Filter(std::string_view field, Lookup lookup, std::vector<Value> values);

    Kind kind() const;
    // Kind::Condition only.
    const covet::Condition& condition() const;
    // And/Or: two or more (nested ands/ors of the same kind are flattened); Not: exactly one.
    std::span<const Filter> children() const;

    friend Filter operator&&(const Filter& a, const Filter& b);
    friend Filter operator||(const Filter& a, const Filter& b);
    friend Filter operator!(const Filter& a);  // !!f is f

private:
    struct Node;
    explicit Filter(std::shared_ptr<const Node> node);
    std::shared_ptr<const Node> node_;
};

// Django-style string lookups, parsed without a model: "pages__gte" -> {pages}, Gte; "title" ->
// {title}, Exact. The last "__" segment is the lookup if it names one; otherwise the whole string
// is the field path (exact), and Query::filter() reports "unknown lookup" if it is not a field.
Filter Q(std::string_view expression, Value value);
// For in (any number of values) and range (two).
Filter Q(std::string_view expression, std::vector<Value> values);

// A field path resolved on a model: the relations it crosses and the column it ends on.
// "author__email": hops {books.author}, column authors.email. A path that ends on a relation
// compares its key: "author" is the column books.author_id (no hop); "categories" and "books"
// (many) cross the relation and end on the related primary key.
struct FieldPath {
    std::vector<RelationLink> hops;
    const Column* column = nullptr;
    // Some hop relates several objects to one (a reverse ForeignKey, a ManyToMany).
    bool many() const;
    // Some hop may relate no object (a nullable key, a reverse side).
    bool optional() const;
};
// Resolves a path; "pk" is the primary key and "<relation>_id" a ForeignKey's column. Throws a
// covet::UsageError naming the model, the field and the model's fields and relations; or the
// unknown lookup and the valid ones when the path continues past a field that is not a relation.
// `expression` is what the user wrote, for messages.
FieldPath resolve_path(const ModelInfo& model, const std::vector<std::string>& path, std::string_view expression);
// The column of a path that crosses no relation; the same errors.
const Column& resolve_field(const ModelInfo& model, const std::vector<std::string>& path,
                            std::string_view expression);
// Same for a plain field name (values, update).
const Column& resolve_field(const ModelInfo& model, std::string_view field);
// "author__email" -> {"author", "email"}.
std::vector<std::string> split_path(std::string_view text);

enum class AggregateFunction { Count, Sum, Avg, Min, Max };

struct Aggregate {
    AggregateFunction function = AggregateFunction::Count;
    std::string field;  // empty: count(*) (Count only)
    std::string alias;  // the result column; empty: "<field>__<function>" as Django, or "count"
    bool distinct = false;  // count(DISTINCT col), ...

    // The alias, or its default.
    std::string name() const;
};
Aggregate Count(std::string field = {}, std::string alias = {}, bool distinct = false);
Aggregate Sum(std::string field, std::string alias = {});
Aggregate Avg(std::string field, std::string alias = {});
Aggregate Min(std::string field, std::string alias = {});
Aggregate Max(std::string field, std::string alias = {});

// One `SET field = value` of an update.
struct Assignment {
    std::string field;
    Value value;
};

class Query;

// One prefetch_related() entry: a relation path ("author__books__categories"), optionally with
// the query the last relation's objects are read with (its filters, ordering, select_related;
// Django's Prefetch(queryset=...)) and a covet::Prefetched<T> member to put them in (to_attr).
struct Prefetch {
    std::string path;
    std::shared_ptr<const Query> query;
    std::string to_attr;

    Prefetch(std::string path);  // NOLINT: implicit, prefetch_related("books")
    Prefetch(const char* path) : Prefetch(std::string(path)) {}  // NOLINT
    Prefetch(std::string path, const Query& query, std::string to_attr = {});
    // From a QuerySet: covet::Prefetch("books", db.objects<Book>().filter(...), "long_books").
    template <class Set>
        requires requires(const Set& set) { set.query(); }
    Prefetch(std::string path, const Set& set, std::string to_attr = {})
        : Prefetch(std::move(path), set.query(), std::move(to_attr)) {}
};

class Query {
public:
    // What the query does when printed by to_sql(); the builders below set it.
    enum class Action { Select, Count, Exists, Update, Delete };

    // `model` must outlive the query (model_info<T>() returns a static).
    explicit Query(const ModelInfo& model);

    const ModelInfo& model() const;
    Action action() const;
    // The conditions of every filter()/exclude(), ANDed; nullopt: every row.
    const std::optional<Filter>& where() const;
    // The ordering in force: order_by()'s, or the model's default (not for aggregate()/annotate()
    // queries, which are only ordered by an explicit order_by()). "-f" descending, "?" random.
    const std::vector<std::string>& ordering() const;
    bool is_distinct() const;
    std::optional<std::int64_t> limit() const;
    std::int64_t offset() const;
    bool is_sliced() const;
    // values(): the selected fields; empty: every column of the model (in declaration order).
    const std::vector<std::string>& value_fields() const;
    // aggregate()/annotate(): the aggregates; with annotate(), grouped by value_fields().
    const std::vector<Aggregate>& aggregates() const;
    bool is_grouped() const;
    const std::vector<Assignment>& assignments() const;
    // Each filter()/exclude() call's filter, in order (where() is their AND): a ManyToMany or
    // reverse relation crossed in two calls is joined twice, as Django does.
    const std::vector<Filter>& filter_calls() const;
    // select_related(): relation paths, each one hop per segment ({"author", "profile"}).
    const std::vector<std::vector<std::string>>& select_related_paths() const;
    const std::vector<Prefetch>& prefetches() const;
    // related_to(): the relation and owner key a related manager restricts the rows to.
    const RelationLink* related_link() const;
    const Value& related_owner() const;
    // through_related(): a prefetch query reads its rows with the pairs of a relation, given by the
    // SELECT related() runs (covet_related_sql(), with the keys in ?1); "" for any other query.
    const std::string& source_pairs() const;
    const Value& source_keys() const;
    const Column* source_key() const;
    // Whether the pair's source is the first result column.
    bool selects_source() const;

    // The result columns of a select, in order: field names (values / the model's), then aliases.
    std::vector<std::string> result_names() const;

    // Builders: each returns a new query. Fields are validated against the model here.
    [[nodiscard]] Query filter(const Filter& filter) const;
    [[nodiscard]] Query exclude(const Filter& filter) const;  // filter(!filter)
    // Replaces the ordering; {} means unordered (the model's default no longer applies).
    [[nodiscard]] Query order_by(std::vector<std::string> fields) const;
    [[nodiscard]] Query distinct(bool on = true) const;
    // Python's [start:stop] on the current slice (slices compose); stop nullopt: to the end.
    [[nodiscard]] Query slice(std::int64_t start, std::optional<std::int64_t> stop) const;
    [[nodiscard]] Query values(std::vector<std::string> fields) const;
    // One row of aggregates over the (filtered) rows.
    [[nodiscard]] Query aggregate(std::vector<Aggregate> aggregates) const;
    // Aggregates per group of value_fields() (values(...).annotate(...), as Django).
    [[nodiscard]] Query annotate(std::vector<Aggregate> aggregates) const;
    [[nodiscard]] Query count() const;
    [[nodiscard]] Query exists() const;
    [[nodiscard]] Query update(std::vector<Assignment> assignments) const;
    [[nodiscard]] Query delete_() const;
    // Follows a path of ForeignKey / OneToOne relations (and reverse OneToOnes) in the same
    // query: {"author", "profile"}. UsageError for a relation that relates several objects.
    [[nodiscard]] Query select_related(std::vector<std::string> path) const;
    // Loads the relations of the path after the rows, one query per relation (queryset.cpp).
    [[nodiscard]] Query prefetch_related(Prefetch prefetch) const;
    // Only the objects related to `owner` through `link` (link.to is this query's model).
    [[nodiscard]] Query related_to(const RelationLink& link, Value owner) const;
    // Rows joined on key = pairs.target (prefetch_related's query), pairs being the SELECT of the
    // related(relation, keys) pairs (covet_related_sql(), keys in ?1), with the pair's source as
    // first column when with_source (a row that holds its source itself, the reverse of a foreign
    // key, needs it not, and SQLite then does not read it).
    [[nodiscard]] Query through_related(std::string pairs, Value keys, const Column& key,
                                        bool with_source = true) const;

    struct State;  // opaque (query.cpp)

private:
    explicit Query(std::shared_ptr<const State> state);
    std::shared_ptr<const State> state_;
};

}  // namespace covet
