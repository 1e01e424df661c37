#include "deletion.hpp"

#include <algorithm>

namespace covet::ext {

std::string Doomed::keys(std::string_view table, bool own) const {
    std::string sql = "SELECT key FROM " + source + " WHERE tbl = " + quote_text(table);
    if (own && !own_filter.empty()) sql += " AND " + own_filter;
    return sql;
}

Deletion::Deletion(Graph& graph, std::string table) : graph_(graph), table_(std::move(table)) {
    // Breadth-first over CASCADE links: the tables a delete can reach.
    reach_.push_back(table_);
    for (std::size_t i = 0; i < reach_.size(); ++i) {
        for (const Edge& edge : graph_.edges) {
            if (edge.action != OnDelete::Cascade || !same_name(edge.to_table, reach_[i])) continue;
            if (!reached(edge.from_table)) reach_.push_back(edge.from_table);
        }
    }
    for (const Edge& edge : graph_.edges) {
        if (!reached(edge.to_table) || edge.action == OnDelete::DoNothing) continue;
        (edge.action == OnDelete::Cascade ? cascades_ : others_).push_back(&edge);
    }
    find_components();
    std::reverse(reach_.begin(), reach_.end());
}

namespace {

std::size_t index_of(const std::vector<std::string>& tables, std::string_view table) {
    auto at = std::find_if(tables.begin(), tables.end(), [&](const std::string& t) { return same_name(t, table); });
    return static_cast<std::size_t>(at - tables.begin());
}

// cascades_to[a][b]: rows of tables[a] cascade to rows of tables[b], directly or not (and to
// their own). There are a few tables: one walk from each.
std::vector<std::vector<bool>> cascade_reach(const std::vector<std::string>& tables,
                                             const std::vector<const Edge*>& cascades) {
    std::vector<std::vector<bool>> cascades_to(tables.size(), std::vector<bool>(tables.size(), false));
    for (std::size_t from = 0; from < tables.size(); ++from) {
        std::vector<std::size_t> queue{from};
        cascades_to[from][from] = true;
        for (std::size_t q = 0; q < queue.size(); ++q)
            for (const Edge* e : cascades) {
                std::size_t to = index_of(tables, e->from_table);
                if (!same_name(e->to_table, tables[queue[q]]) || cascades_to[from][to]) continue;
                cascades_to[from][to] = true;
                queue.push_back(to);
            }
    }
    return cascades_to;
}

}  // namespace

void Deletion::find_components() {
    const std::size_t n = reach_.size();
    const std::vector<std::vector<bool>> cascades_to = cascade_reach(reach_, cascades_);
    // If component A cascades to component B, every table that cascades to A also cascades to B,
    // and so do B's own tables: in the order of how many tables cascade to them, components come
    // after every one cascading to them, and the deleted table's comes first.
    std::vector<std::size_t> cascaded_from(n, 0);
    for (std::size_t from = 0; from < n; ++from)
        for (std::size_t to = 0; to < n; ++to) cascaded_from[to] += cascades_to[from][to];
    std::vector<std::size_t> order(n);
    for (std::size_t t = 0; t < n; ++t) order[t] = t;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return cascaded_from[a] < cascaded_from[b]; });

    std::vector<bool> placed(n, false);
    for (std::size_t t : order) {
        if (placed[t]) continue;
        Component component;
        for (std::size_t other = 0; other < n; ++other)
            if (cascades_to[t][other] && cascades_to[other][t]) {
                component.tables.push_back(reach_[other]);
                placed[other] = true;
            }
        components_.push_back(std::move(component));
    }
    for (const Edge* e : cascades_) {
        Component& into = components_[component_of(e->from_table)];
        (component_of(e->to_table) == component_of(e->from_table) ? into.inner : into.incoming).push_back(e);
    }
}

std::size_t Deletion::component_of(std::string_view table) const {
    for (std::size_t c = 0; c < components_.size(); ++c)
        for (const std::string& t : components_[c].tables)
            if (same_name(t, table)) return c;
    throw Error("covet: internal error: table " + std::string(table) + " is not reached by the delete");
}

Deletion Deletion::of_keys(Graph& graph, const Value& table_name, const char* function) {
    std::string name = std::string("covet: ") + function;
    if (table_name.type != SQLITE_TEXT) throw Error(name + "(table, keys): table must be a table name");
    const Table* table = graph.tables.find(table_name.text());
    if (!table) throw Error(name + ": no table \"" + table_name.text() + "\" in the main schema");
    if (!table->row_identity())
        throw Error(name + ": table " + table->name +
                    " has no row identity (a WITHOUT ROWID table needs a single-column primary key)");
    Deletion deletion(graph, table->name);
    for (const Broken& b : graph.broken)
        for (const std::string& t : {b.relation->from_table, b.relation->to_table})
            if (deletion.reached(t))
                throw Error(name + ": relation " + b.relation->name + " no longer matches the schema (" + b.problem +
                            "), so what a delete of " + table->name +
                            " reaches is unknown; repair it first (see covet_check())");
    return deletion;
}

std::string Deletion::seed_of_keys(std::string_view param) const {
    return "SELECT " + quote_text(table_) + ", " + graph_.identity(table_, "s") + " FROM " + quote_id(table_) +
           " AS s WHERE " + graph_.key(table_, "s") + " IN (SELECT value FROM " + keys_source(param) + ")";
}

bool Deletion::reached(std::string_view table) const {
    return std::any_of(reach_.begin(), reach_.end(), [&](const std::string& t) { return same_name(t, table); });
}

bool Deletion::has_effects() const { return !cascades_.empty() || !others_.empty(); }

std::string Deletion::closure(std::string_view seed) const {
    // One CTE per component, in order; a plain SELECT per CASCADE link into it, over the rows
    // already found in the earlier components (a recursive CTE runs its steps once per row found:
    // only a cycle pays for that). UNION keeps each row once and ends the recursion of a cycle.
    std::vector<std::string> ctes, all_rows;
    for (std::size_t c = 0; c < components_.size(); ++c) {
        std::string name = closure_name + std::to_string(c);
        std::vector<std::string> selects;
        if (c == 0) selects.emplace_back(seed);
        for (const Edge* e : components_[c].incoming) {
            const Doomed earlier{closure_name + std::to_string(component_of(e->to_table)), ""};
            selects.push_back("SELECT " + quote_text(e->from_table) + ", " + graph_.identity(e->from_table, "r") +
                              " FROM " + quote_id(e->from_table) + " AS r WHERE " + referencing(*e, earlier, "r"));
        }
        // The recursive steps come last, as SQLite requires, and join the rows found so far: a
        // recursive CTE may not be used in a subquery.
        for (const Edge* e : components_[c].inner)
            selects.push_back("SELECT " + quote_text(e->from_table) + ", " + graph_.identity(e->from_table, "r") +
                              " FROM " + name + " AS found JOIN " + quote_id(e->to_table) + " AS p ON found.tbl = " +
                              quote_text(e->to_table) + " AND " + graph_.identity(e->to_table, "p") +
                              " = found.key JOIN " + quote_id(e->from_table) + " AS r ON p." +
                              quote_id(e->to_column) + " = " + referencing_column(*e, "r"));
        ctes.push_back(name + "(tbl, key) AS (" + join(selects, " UNION ") + ")");
        all_rows.push_back("SELECT tbl, key FROM " + name);
    }
    ctes.push_back(std::string(closure_name) + "(tbl, key) AS (" + join(all_rows, " UNION ALL ") + ")");
    return "WITH RECURSIVE " + join(ctes, ", ") + " ";
}

std::string Deletion::referencing_column(const Edge& e, const std::string& r) const {
    // Through the referenced key's collation always (as SQLite's foreign keys compare), not the
    // referencing column's own: a COLLATE NOCASE column does not reference 'fr' by holding 'FR'.
    // The affinity is the referenced column's too: the key is compared as p.<key> (a key stored as
    // text '2' in an untyped column references 2, as for the insert check).
    std::string collation = graph_.table(e.to_table).key_collation(e.to_column);
    return r + "." + quote_id(e.from_column) + " COLLATE " + quote_id(collation);
}

std::string Deletion::referencing(const Edge& e, const Doomed& doomed, const std::string& r) const {
    return referencing_column(e, r) + " IN (SELECT p." + quote_id(e.to_column) + " FROM " + quote_id(e.to_table) +
           " AS p WHERE " + graph_.identity(e.to_table, "p") + " IN (" + doomed.keys(e.to_table) + "))";
}

std::string Deletion::surviving(const Edge& e, const Doomed& doomed, const std::string& r) const {
    // Rows of unreached tables always survive; reached ones survive unless condemned by any delete.
    if (!reached(e.from_table)) return "";
    return " AND " + graph_.identity(e.from_table, r) + " NOT IN (" + doomed.keys(e.from_table, false) + ")";
}

std::string Deletion::default_value(const Edge& e) const {
    if (!e.relation->default_value.is_null()) return literal(e.relation->default_value);
    return "(" + *graph_.table(e.from_table).column(e.from_column)->default_sql + ")";
}

std::vector<Blocker> Deletion::blockers(const Doomed& doomed) const {
    std::vector<Blocker> out;
    for (const Edge* e : others_) {
        std::string select = "SELECT " + graph_.key(e->from_table, "r") + " FROM " + quote_id(e->from_table) +
                             " AS r WHERE " + referencing(*e, doomed, "r");
        std::string via = " through relation " + e->relation->name + " (" + e->from_table + "." + e->from_column +
                          " -> " + e->to_table + "." + e->to_column + ")";
        if (e->action == OnDelete::Protect) {
            out.push_back({e, "protect", select,
                           "covet: PROTECT: cannot delete from " + table_ + ": a row it would remove from " +
                               e->to_table + " is referenced by " + e->from_table + via});
        } else if (e->action == OnDelete::Restrict) {
            out.push_back({e, "restrict", select + surviving(*e, doomed, "r"),
                           "covet: RESTRICT: cannot delete from " + table_ + ": a row it would remove from " +
                               e->to_table + " is referenced by a row of " + e->from_table + " that is not deleted" +
                               via});
        } else if (e->action == OnDelete::SetDefault) {
            // A NULL default sets NULL; any other must name a row that survives the delete.
            std::string value = default_value(*e);
            std::string no_default_row = value + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
                                         quote_id(e->to_table) + " AS p WHERE p." + quote_id(e->to_column) + " = " +
                                         value + " AND " + graph_.identity(e->to_table, "p") + " NOT IN (" +
                                         doomed.keys(e->to_table, false) + "))";
            out.push_back({e, "set_default", select + surviving(*e, doomed, "r") + " AND " + no_default_row,
                           "covet: SET_DEFAULT: cannot delete from " + table_ + ": the default " + e->to_table +
                               " row that " + e->from_table + "." + e->from_column +
                               " would be set to does not exist or is deleted too" + via});
        }
    }
    return out;
}

std::vector<Effect> Deletion::effects(const Doomed& doomed) const {
    std::vector<Effect> out;
    for (const Edge* e : others_) {
        if (e->action != OnDelete::SetNull && e->action != OnDelete::SetDefault) continue;
        // UPDATE and DELETE in triggers take no alias: qualify by the table's own name.
        std::string table = quote_id(e->from_table);
        std::string where = " WHERE " + referencing(*e, doomed, table) + surviving(*e, doomed, table);
        std::string value = e->action == OnDelete::SetNull ? "NULL" : default_value(*e);
        out.push_back({e, e->action == OnDelete::SetNull ? "set_null" : "set_default",
                       "SELECT " + graph_.key(e->from_table, table) + " FROM " + table + where,
                       "UPDATE " + table + " SET " + quote_id(e->from_column) + " = " + value + where});
    }
    return out;
}

std::vector<std::string> Deletion::deletes(const Doomed& doomed, std::string_view except) const {
    std::vector<std::string> out;
    for (const std::string& t : reach_) {
        std::string table = quote_id(t);
        std::string sql = "DELETE FROM " + table + " WHERE " + graph_.identity(t, table) + " IN (" + doomed.keys(t) + ")";
        if (!except.empty() && same_name(t, table_)) sql += " AND " + graph_.identity(t, table) + " IS NOT " + std::string(except);
        out.push_back(sql);
    }
    return out;
}

std::vector<std::string> Deletion::written_tables() const {
    std::vector<std::string> out = reach_;
    for (const Edge* e : others_)
        if ((e->action == OnDelete::SetNull || e->action == OnDelete::SetDefault) &&
            index_of(out, e->from_table) == out.size())
            out.push_back(e->from_table);
    return out;
}

bool Deletion::updates_need_update_triggers() const {
    for (const Edge* e : others_) {
        if (e->action != OnDelete::SetNull && e->action != OnDelete::SetDefault) continue;
        for (const Edge& other : graph_.edges) {
            if (&other == e) continue;
            bool also_references = same_name(other.from_table, e->from_table) &&
                                   same_name(other.from_column, e->from_column);
            bool is_referenced = same_name(other.to_table, e->from_table) && same_name(other.to_column, e->from_column);
            if (also_references || is_referenced) return true;
        }
    }
    return false;
}

}  // namespace covet::ext
