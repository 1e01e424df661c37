// covet's SQL printer: turns a Query (query.hpp) into SQLite SQL text and its bound parameters.
// Every value is a parameter (?1, ?2, ...; one may be used twice), never part of the text, and
// every identifier is quoted ("table"."column", embedded quotes doubled).
//
// Lookup semantics (Django's, on SQLite):
//   exact       "c" = ?1                      (NULL: "c" IS NULL)
//   iexact      "c" LIKE ?1 ESCAPE '\'        (NULL: "c" IS NULL)
//   contains    instr("c", ?1) > 0            case-sensitive (Django's LIKE is not, on SQLite)
//   icontains   "c" LIKE ?1 ESCAPE '\'        ?1 = '%' + escaped value + '%'
//   startswith  substr("c", 1, length(?1)) = ?1                         case-sensitive
//   endswith    substr("c", length("c") - length(?1) + 1) = ?1         case-sensitive
//   istartswith / iendswith: LIKE with 'v%' / '%v'
//   gt gte lt lte: > >= < <=;  in: "c" IN (?1, ?2) (empty: 0);  range: "c" BETWEEN ?1 AND ?2
//   isnull      "c" IS NULL / "c" IS NOT NULL
// The i-lookups are case-insensitive for ASCII letters only (SQLite's LIKE; PRAGMA
// case_sensitive_like must stay off). In the LIKE patterns %, _ and \ of the value are escaped
// with \. The text lookups compare the value as text: integers and reals are turned into text.
// Negation is the complement, as Django's exclude(): under an odd number of NOTs a condition on a
// nullable column becomes ("c" ... AND "c" IS NOT NULL), so rows with NULL are excluded from the
// condition and therefore kept by the negation.
#pragma once

#include <covet/query.hpp>
#include <covet/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace covet {

struct Sql {
    std::string text;
    std::vector<Value> params;  // params[i] binds ?(i+1)
};

// By the query's action(): select, count, exists, update or delete.
Sql to_sql(const Query& query);

// SELECT [DISTINCT] columns (the model's, values(), or group fields + aggregates) FROM ...
// WHERE ... [GROUP BY ...] ORDER BY ... LIMIT ?n OFFSET ?m. The result columns are
// query.result_names(), in order.
Sql print_select(const Query& query);
// SELECT count(*) ...: over a subquery when the query is sliced, distinct or grouped.
Sql print_count(const Query& query);
// SELECT 1 ... LIMIT 1 (over a subquery when sliced or grouped).
Sql print_exists(const Query& query);
// UPDATE "t" SET "c" = ?1, ... [WHERE ...] (query.assignments()).
Sql print_update(const Query& query);
// DELETE FROM "t" [WHERE ...]: the plain form (covet's real deletes go through covet_delete()).
Sql print_delete(const Query& query);

// One select_related() hop, in the order its columns follow the model's in the result.
struct SelectedRelation {
    static constexpr std::size_t root = static_cast<std::size_t>(-1);
    std::size_t parent = root;  // the hop it continues, or root (the query's model)
    RelationLink link;
    bool optional = false;  // LEFT JOIN: this hop or one before it may have no object
    std::size_t member = 0;  // link.from's relation member (ModelOps::relations) that caches the object
    int first_column = 0;    // the first of link.to's columns in the result
};
// The select_related() hops of a query, paths merged ("author" and "author__profile" share author).
std::vector<SelectedRelation> select_related_plan(const Query& query);
// The member of link.from that caches the related object (a reverse side must be declared).
std::size_t member_caching(const RelationLink& link);

// "name" with embedded double quotes doubled.
std::string quote_identifier(std::string_view name);
// The value with \, % and _ escaped by \ (for LIKE ... ESCAPE '\').
std::string escape_like(std::string_view value);

}  // namespace covet
