#include "graph.hpp"

namespace covet::ext {

Graph::Graph(sqlite3* db) : relations(load_relations(db)), tables(db) {
    for (const Relation& r : relations) {
        if (auto problem = schema_problem(r, tables)) {
            broken.push_back({&r, *problem});
            continue;
        }
        if (r.many_to_many()) {
            edges.push_back({&r, *r.through_table, *r.through_from_column, r.from_table,
                             *table(r.from_table).primary_key(), OnDelete::Cascade});
            edges.push_back({&r, *r.through_table, *r.through_to_column, r.to_table, r.to_column,
                             OnDelete::Cascade});
        } else {
            edges.push_back({&r, r.from_table, *r.from_column, r.to_table, r.to_column, r.action()});
        }
    }
}

std::string Graph::identity(std::string_view name, std::string_view alias) {
    return std::string(alias) + "." + *table(name).row_identity();
}

std::string Graph::key(std::string_view name, std::string_view alias) {
    const Table& t = table(name);
    std::optional<std::string> pk = t.primary_key();
    return pk ? std::string(alias) + "." + quote_id(*pk) : identity(name, alias);
}

}  // namespace covet::ext

namespace covet::ext {

std::string Graph::collate(const Edge& e) {
    std::string collation = table(e.to_table).key_collation(e.to_column);
    return same_name(collation, "BINARY") ? "" : " COLLATE " + quote_id(collation);
}

}  // namespace covet::ext
