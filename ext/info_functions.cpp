/*
** covet_graph() and covet_version(): what covet knows, for people.
**
**   SELECT covet_version();                         -- '0.1.0'
**   .once schema.dot
**   SELECT covet_graph();                           -- Graphviz DOT of every relation
**   -- dot -Tsvg schema.dot > schema.svg
**
** covet_graph() draws one node per table and one arrow per relation, from the referencing table
** to the referenced one, labelled with the relation's name and on_delete (many_to_many: the
** junction table; dashed red: a relation that no longer matches the schema).
*/
#include "graph.hpp"
#include "modules.hpp"

#include <algorithm>
#include <set>

namespace covet::ext {

namespace {

// A DOT quoted string; backslashes stay, as DOT's own escapes (labels use \n for new lines).
std::string dot_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '\\';
        out += c;
    }
    return out + '"';
}

std::string dot(sqlite3* db) {
    Graph graph(db);
    std::set<std::string> tables;
    std::string edges;
    for (const Relation& r : graph.relations) {
        tables.insert(r.from_table);
        tables.insert(r.to_table);
        bool broken = std::any_of(graph.broken.begin(), graph.broken.end(),
                                  [&](const Broken& b) { return b.relation == &r; });
        std::string label = r.name + "\\n" +
                            (r.many_to_many() ? "many_to_many via " + r.through_table.value_or("")
                                              : r.kind + " " + r.on_delete.value_or(""));
        edges += "  " + dot_string(r.from_table) + " -> " + dot_string(r.to_table) + " [label=" + dot_string(label);
        if (r.many_to_many()) edges += ", dir=both, arrowtail=crow, arrowhead=crow";
        if (broken) edges += ", style=dashed, color=red";
        edges += "];\n";
    }
    std::string out = "digraph covet {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
                      "  edge [fontname=\"Helvetica\", fontsize=10];\n";
    for (const std::string& t : tables) out += "  " + dot_string(t) + ";\n";
    return out + edges + "}\n";
}

void covet_graph(sqlite3_context* ctx, int, sqlite3_value**) {
    guarded(ctx, [&] {
        std::string text = dot(sqlite3_context_db_handle(ctx));
        sqlite3_result_text(ctx, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    });
}

void covet_version(sqlite3_context* ctx, int, sqlite3_value**) {
    sqlite3_result_text(ctx, COVET_VERSION, -1, SQLITE_STATIC);
}

}  // namespace

int register_info_functions(sqlite3* db) {
    int rc = sqlite3_create_function(db, "covet_graph", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, covet_graph,
                                     nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_create_function(db, "covet_version", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   nullptr, covet_version, nullptr, nullptr);
}

}  // namespace covet::ext
