// The relations of a database as links between tables: what a delete, insert or update must check.
#pragma once

#include "relation.hpp"

#include <string>
#include <vector>

namespace covet::ext {

// "rows of `from` point at rows of `to` through from_column = to_column".
// A foreign_key or one_to_one relation is one edge; a many_to_many relation is two CASCADE
// edges from its junction table, one to each side.
struct Edge {
    const Relation* relation;
    std::string from_table, from_column;
    std::string to_table, to_column;
    OnDelete action;
};

struct Broken {
    const Relation* relation;
    std::string problem;
};

struct Graph {
    std::vector<Relation> relations;
    std::vector<Edge> edges;     // of the relations that still match the schema
    std::vector<Broken> broken;  // the others: they get no triggers, covet_check() lists them
    TableCache tables;

    explicit Graph(sqlite3* db);  // loads the relations and the tables they name
    Graph(const Graph&) = delete;
    Graph& operator=(const Graph&) = delete;

    const Table& table(std::string_view name) { return *tables.find(name); }
    // Column expression naming a row of table (see Table::row_identity), qualified by alias.
    std::string identity(std::string_view table, std::string_view alias);
    // The primary key as users see it: the single-column primary key, else the row identity.
    std::string key(std::string_view table, std::string_view alias);
    // " COLLATE x" when the edge's referenced key does not compare with BINARY, else "": put
    // after the referencing column so comparisons use the referenced key's collation.
    std::string collate(const Edge& edge);
};

}  // namespace covet::ext
