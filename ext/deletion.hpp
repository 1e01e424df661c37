// covet's deletion algorithm: Django's Collector (django/db/models/deletion.py) as SQL.
//
// Deleting rows of a table is planned in four steps, each one SQL text that the delete trigger,
// covet_delete() and covet_delete_plan() all use:
//   1. closure():  every row the delete removes, following CASCADE links (and many_to_many
//                  junction rows) transitively, computed up front by one query into the set of
//                  condemned rows (`tbl`, `key`) - never by nested trigger firing;
//   2. blockers(): rows that forbid the delete: any row referencing a condemned row through a
//                  PROTECT link, a surviving row referencing one through RESTRICT, a SET_DEFAULT
//                  whose default row is missing or itself condemned;
//   3. updates():  SET_NULL / SET_DEFAULT of the surviving referencing rows;
//   4. deletes():  the condemned rows, table by table.
#pragma once

#include "graph.hpp"

#include <string>
#include <vector>

namespace covet::ext {

// Where the condemned rows of one deletion are listed, as SQL.
struct Doomed {
    std::string source;      // a table or CTE with columns (tbl, key)
    std::string own_filter;  // condition narrowing source to this deletion's rows; empty for all

    std::string keys(std::string_view table, bool own = true) const;  // SELECT key FROM ... WHERE tbl = ...
};

struct Blocker {
    const Edge* edge;
    std::string action;   // "protect", "restrict" or "set_default"
    std::string rows;     // SELECT <key of the blocking row> FROM ...
    std::string message;  // "covet: PROTECT: ..." naming tables and relation
};

struct Effect {
    const Edge* edge;
    std::string action;  // "set_null" or "set_default"
    std::string rows;    // SELECT <key> of the rows that change
    std::string update;  // the UPDATE statement
};

class Deletion {
public:
    // The name closure() gives the condemned rows.
    static constexpr const char* closure_name = "covet_d";

    Deletion(Graph& graph, std::string table);
    // The deletion behind covet_delete() and covet_delete_plan(): checks that `table` names a
    // table with a row identity and that no broken relation touches a table the delete reaches
    // (its cascade would be incomplete); `function` names the caller in errors.
    static Deletion of_keys(Graph& graph, const Value& table, const char* function);

    const std::string& table() const { return table_; }
    // Does deleting a row of the table do anything (cascade, check, update)?
    bool has_effects() const;
    // Tables whose rows the delete may remove, farthest first, the table itself last.
    const std::vector<std::string>& reach() const { return reach_; }

    // "WITH RECURSIVE ..., covet_d(tbl, key) AS (...) ": the rows of seed (a SELECT of (tbl, key)
    // rows of the table) and every row they cascade to, each row once.
    std::string closure(std::string_view seed) const;
    // The seed of the rows of the table whose primary key is in the keys bound to `param`.
    std::string seed_of_keys(std::string_view param) const;
    std::vector<Blocker> blockers(const Doomed& doomed) const;
    std::vector<Effect> effects(const Doomed& doomed) const;
    // One DELETE per reached table; `except` (optional) is a row identity expression of the
    // table itself to leave alone (the row a BEFORE DELETE trigger fires for).
    std::vector<std::string> deletes(const Doomed& doomed, std::string_view except = {}) const;

    // "<alias>.col IN (...)": rows of edge.from_table that point at condemned rows.
    std::string referencing(const Edge& edge, const Doomed& doomed, const std::string& alias) const;

    // Every table whose rows the delete removes or updates (SET_NULL, SET_DEFAULT).
    std::vector<std::string> written_tables() const;
    // Would an update of step 3 need a check of covet's update triggers that blockers() does not
    // make? So when the updated column is also a referenced key, or the referencing column of
    // another relation (blockers() checks that a SET_DEFAULT's default row exists, nothing else).
    bool updates_need_update_triggers() const;

private:
    // Reached tables whose rows can cascade to each other round a cycle (a strongly connected
    // part of the CASCADE links; mostly a single table). Only a cycle needs a recursive query.
    struct Component {
        std::vector<std::string> tables;
        std::vector<const Edge*> inner;     // CASCADE links between its own tables (self references too)
        std::vector<const Edge*> incoming;  // CASCADE links into it from the components before it
    };

    Graph& graph_;
    std::string table_;
    std::vector<std::string> reach_;
    std::vector<const Edge*> cascades_;  // CASCADE edges into reached tables
    std::vector<const Edge*> others_;    // PROTECT, RESTRICT, SET_NULL, SET_DEFAULT edges into them
    std::vector<Component> components_;  // of the reached tables, each after those cascading to it

    bool reached(std::string_view table) const;
    void find_components();
    std::size_t component_of(std::string_view table) const;
    // "<alias>.col COLLATE <key's>": the referencing column compared as the referenced key compares.
    std::string referencing_column(const Edge& edge, const std::string& alias) const;
    // "" or " AND <alias>.id NOT IN (...)": ... and are not condemned themselves.
    std::string surviving(const Edge& edge, const Doomed& doomed, const std::string& alias) const;
    std::string default_value(const Edge& edge) const;
};

}  // namespace covet::ext
