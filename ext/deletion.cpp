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
    std::reverse(reach_.begin(), reach_.end());
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
    std::string sql = "WITH RECURSIVE d(tbl, key) AS (" + std::string(seed);
    for (const Edge* e : cascades_) {
        std::string from = quote_text(e->from_table), to = quote_text(e->to_table);
        std::string r_id = graph_.identity(e->from_table, "r");
        // Through the referenced row, always: the comparison then applies the referenced key's
        // affinity and collation, as the reference checks do (a key stored as text '2' in an
        // untyped column still references 2).
        sql += " UNION SELECT " + from + ", " + r_id + " FROM d JOIN " + quote_id(e->to_table) + " AS p ON d.tbl = " +
               to + " AND " + graph_.identity(e->to_table, "p") + " = d.key JOIN " + quote_id(e->from_table) +
               " AS r ON p." + quote_id(e->to_column) + " = r." + quote_id(e->from_column);
    }
    return sql + ") ";
}

std::string Deletion::referencing(const Edge& e, const Doomed& doomed, const std::string& r) const {
    return r + "." + quote_id(e.from_column) + graph_.collate(e) + " IN (SELECT p." + quote_id(e.to_column) +
           " FROM " + quote_id(e.to_table) + " AS p WHERE " + graph_.identity(e.to_table, "p") + " IN (" +
           doomed.keys(e.to_table) + "))";
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
            std::string default_is_doomed = "EXISTS (SELECT 1 FROM " + quote_id(e->to_table) + " AS p WHERE p." +
                                            quote_id(e->to_column) + " = " + default_value(*e) + " AND " +
                                            graph_.identity(e->to_table, "p") + " IN (" +
                                            doomed.keys(e->to_table, false) + "))";
            out.push_back({e, "set_default", select + surviving(*e, doomed, "r") + " AND " + default_is_doomed,
                           "covet: SET_DEFAULT: cannot delete from " + table_ + ": the default " + e->to_table +
                               " row that " + e->from_table + "." + e->from_column +
                               " would be set to is deleted too" + via});
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

}  // namespace covet::ext
