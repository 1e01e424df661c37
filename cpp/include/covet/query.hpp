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
// "pk" names the primary key. A field path has several segments ("author__email") once relations
// exist; today only single-segment paths are accepted.
#pragma once

#include <covet/model_info.hpp>
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

// The column of a field path on a model; "pk" is the primary key. Throws a covet error naming the
// model, the field and the model's fields; or the unknown lookup and the valid ones when the
// path continues past a (non-relation) field. `expression` is what the user wrote, for messages.
const Column& resolve_field(const ModelInfo& model, const std::vector<std::string>& path,
                            std::string_view expression);
// Same for a plain field name (order_by, values, update, aggregates).
const Column& resolve_field(const ModelInfo& model, std::string_view field);

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

    struct State;  // opaque (query.cpp)

private:
    explicit Query(std::shared_ptr<const State> state);
    std::shared_ptr<const State> state_;
};

}  // namespace covet
