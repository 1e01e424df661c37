#include "triggers.hpp"

#include <algorithm>

namespace covet::ext {

namespace {

std::string raise_if(const std::string& condition, const std::string& message) {
    return "SELECT RAISE(ABORT, " + quote_text(message) + ") WHERE " + condition + ";\n";
}

// event: "delete", "insert" or "update"; columns: " OF a, b" for update; when: " WHEN ..." or "".
SchemaObject trigger(const std::string& event, const std::string& columns, const std::string& table,
                     const std::string& when, const std::string& body) {
    std::string name = "covet_" + event + ":" + table;
    std::string verb = event == "delete" ? "DELETE" : event == "insert" ? "INSERT" : "UPDATE";
    return {"trigger", name, table,
            "CREATE TRIGGER " + quote_id(name) + " BEFORE " + verb + columns + " ON " + quote_id(table) + when +
                " BEGIN\n" + body + "END"};
}

// The delete trigger: plans the whole delete of OLD up front (see deletion.hpp). Rows it
// condemns are listed in _covet_doomed, so the triggers their own deletion fires are skipped
// (WHEN), whatever recursive_triggers says.
std::optional<SchemaObject> delete_trigger(Graph& graph, const std::string& table) {
    Deletion deletion(graph, table);
    if (!deletion.has_effects()) return std::nullopt;
    std::string old_id = graph.identity(table, "OLD");
    std::string name = quote_text(table);
    Doomed doomed{doomed_store, "root_tbl = " + name + " AND root_key = +" + old_id};
    std::string body = std::string("INSERT OR IGNORE INTO ") + doomed_store +
                       "(tbl, key, root_tbl, root_key) SELECT tbl, key, " + name + ", " + old_id + " FROM (" +
                       deletion.closure("SELECT " + name + ", " + old_id) + "SELECT tbl, key FROM " +
                       Deletion::closure_name + ");\n";
    for (const Blocker& b : deletion.blockers(doomed)) body += raise_if("EXISTS (" + b.rows + ")", b.message);
    for (const Effect& e : deletion.effects(doomed)) body += e.update + ";\n";
    for (const std::string& d : deletion.deletes(doomed, old_id)) body += d + ";\n";
    body += std::string("DELETE FROM ") + doomed_store + " WHERE " + doomed.own_filter + ";\n";
    std::string when = " WHEN NOT EXISTS (SELECT 1 FROM " + std::string(doomed_store) + " WHERE tbl = " + name +
                       " AND key = +" + old_id + ")";
    return trigger("delete", "", table, when, body);
}

std::string missing_target(const Edge& e, const std::string& row) {
    return "NOT EXISTS (SELECT 1 FROM " + quote_id(e.to_table) + " AS p WHERE p." + quote_id(e.to_column) +
           " = +" + row + "." + quote_id(e.from_column) + ")";
}

std::string reference_message(const Edge& e) {
    return "covet: " + e.from_table + "." + e.from_column + " must reference an existing " + e.to_table + "." +
           e.to_column + " (relation " + e.relation->name + ")";
}

std::optional<SchemaObject> insert_trigger(Graph& graph, const std::string& table) {
    std::string body;
    for (const Edge& e : graph.edges) {
        if (!same_name(e.from_table, table)) continue;
        body += raise_if("NEW." + quote_id(e.from_column) + " IS NOT NULL AND " + missing_target(e, "NEW"),
                         reference_message(e));
    }
    if (body.empty()) return std::nullopt;
    return trigger("insert", "", table, "", body);
}

std::optional<SchemaObject> update_trigger(Graph& graph, const std::string& table) {
    std::string body;
    std::vector<std::string> columns;
    auto watch = [&](const std::string& column) {
        for (const std::string& name : graph.table(table).update_names(column))
            if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
        return quote_id(column);
    };
    for (const Edge& e : graph.edges) {
        if (same_name(e.from_table, table)) {
            std::string c = watch(e.from_column);
            // Any change of bytes is checked: under the column's own collation (NOCASE, say) 'fr' ->
            // 'FR' is no change, yet the target may hold 'fr' only, as the insert check compares.
            body += raise_if("NEW." + c + " IS NOT OLD." + c + " COLLATE BINARY AND NEW." + c + " IS NOT NULL AND " +
                                 missing_target(e, "NEW"),
                             reference_message(e));
        }
        if (same_name(e.to_table, table)) {
            std::string k = watch(e.to_column);
            body += raise_if("NEW." + k + " IS NOT OLD." + k + " AND EXISTS (SELECT 1 FROM " + quote_id(e.from_table) +
                                 " AS r WHERE r." + quote_id(e.from_column) + graph.collate(e) + " = OLD." + k + ")",
                             "covet: cannot change " + e.to_table + "." + e.to_column + " of a row that " +
                                 e.from_table + "." + e.from_column + " references (relation " + e.relation->name +
                                 ")");
        }
    }
    if (body.empty()) return std::nullopt;
    return trigger("update", " OF " + join(columns, ", "), table, "", body);
}

void add_index(std::vector<SchemaObject>& out, Graph& graph, const std::string& table, const std::string& column,
               bool unique) {
    if (graph.table(table).has_leading_index(column, unique)) return;
    std::string name = std::string(unique ? "covet_unique:" : "covet_index:") + table + "(" + column + ")";
    for (const SchemaObject& o : out)
        if (o.name == name) return;
    out.push_back({"index", name, table,
                   std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX " + quote_id(name) + " ON " +
                       quote_id(table) + "(" + quote_id(column) + ")"});
}

}  // namespace

std::vector<SchemaObject> desired_objects(Graph& graph) {
    std::vector<std::string> tables;
    for (const Edge& e : graph.edges)
        for (const std::string& t : {e.from_table, e.to_table})
            if (std::none_of(tables.begin(), tables.end(), [&](const std::string& x) { return same_name(x, t); }))
                tables.push_back(t);
    std::sort(tables.begin(), tables.end());

    std::vector<SchemaObject> out;
    for (const std::string& t : tables)
        for (auto object : {delete_trigger(graph, t), insert_trigger(graph, t), update_trigger(graph, t)})
            if (object) out.push_back(std::move(*object));
    for (const Edge& e : graph.edges) {
        bool one_to_one = e.relation->parsed_kind() == Kind::OneToOne;
        add_index(out, graph, e.from_table, e.from_column, one_to_one);
    }
    return out;
}

std::vector<SchemaObject> existing_objects(sqlite3* db) {
    std::vector<SchemaObject> out;
    Stmt s(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('trigger', 'index') ORDER BY name");
    while (s.step())
        if (is_covet_object(s.text(1))) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3)});
    return out;
}

int sync_schema(sqlite3* db) {
    int changes = 0;
    Graph graph(db);
    std::vector<SchemaObject> desired = desired_objects(graph);
    std::vector<SchemaObject> existing = existing_objects(db);
    auto same = [](const SchemaObject& a, const SchemaObject& b) { return a.name == b.name && a.sql == b.sql; };
    for (const SchemaObject& e : existing) {
        if (std::any_of(desired.begin(), desired.end(), [&](const SchemaObject& d) { return same(d, e); })) continue;
        if (e.type == "trigger") {
            exec(db, "DROP TRIGGER " + quote_id(e.name));
            ++changes;
            continue;
        }
        // SQLite cannot free an index's pages while another statement runs (SQLITE_LOCKED), which is
        // always so inside a write to covet_relations: the unused index stays, harmless, until
        // the user drops it (covet_check() lists it) or a relation needs it again.
        std::string sql = "DROP INDEX " + quote_id(e.name);
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
        if (rc == SQLITE_LOCKED) continue;
        if (rc != SQLITE_OK) exec(db, sql);  // raises the error with its message
        ++changes;
    }
    for (const SchemaObject& d : desired)
        if (std::none_of(existing.begin(), existing.end(), [&](const SchemaObject& e) { return same(d, e); })) {
            exec(db, d.sql);
            ++changes;
        }
    return changes;
}

}  // namespace covet::ext
