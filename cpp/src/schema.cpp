// Schema (schema.hpp): DDL from ModelInfo, comparison with the database, additive migrations.
#include "names.hpp"
#include <covet/schema.hpp>

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/registry.hpp>
#include <covet/relation_link.hpp>
#include <covet/sql_printer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covet {
namespace {

using detail::ascii_lower;

bool same_name(std::string_view a, std::string_view b) { return ascii_lower(a) == ascii_lower(b); }

std::string_view type_name(ColumnType type) {
    switch (type) {
        case ColumnType::Integer: return "INTEGER";
        case ColumnType::Real: return "REAL";
        case ColumnType::Text: return "TEXT";
        case ColumnType::Blob: return "BLOB";
    }
    return "BLOB";
}

// SQLite's type affinity of a declared type (https://sqlite.org/datatype3.html, 3.1).
std::string_view affinity(std::string_view declared) {
    const std::string type = ascii_lower(declared);
    auto has = [&](std::string_view part) { return type.find(part) != std::string::npos; };
    if (has("int")) return "INTEGER";
    if (has("char") || has("clob") || has("text")) return "TEXT";
    if (has("blob") || type.empty()) return "BLOB";
    if (has("real") || has("floa") || has("doub")) return "REAL";
    return "NUMERIC";
}

// A value as an SQL literal: 42, -1, 2.5, 10.0, 'it''s', x'00ff', NULL.
std::string sql_literal(const Value& value) {
    struct Visitor {
        std::string operator()(std::nullptr_t) const { return "NULL"; }
        std::string operator()(std::int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const {
            if (std::isnan(v)) return "NULL";
            if (std::isinf(v)) return v > 0 ? "9e999" : "-9e999";
            std::string text = fmt::format("{}", v);
            if (text.find_first_of(".e") == std::string::npos) text += ".0";  // stays a REAL literal
            return text;
        }
        std::string operator()(const std::string& v) const {
            std::string out = "'";
            for (char c : v) {
                out += c;
                if (c == '\'') out += '\'';
            }
            return out + "'";
        }
        std::string operator()(const Blob& v) const {
            std::string out = "x'";
            for (std::byte b : v) out += fmt::format("{:02x}", static_cast<unsigned>(b));
            return out + "'";
        }
    };
    return std::visit(Visitor{}, value);
}

bool integer_primary_key(const Column& column) { return column.primary_key && column.type == ColumnType::Integer; }

// The column's CHECK constraints, as written in its definition.
std::vector<std::string> column_checks(const Column& column) {
    std::vector<std::string> checks;
    const std::string name = quote_identifier(column.name);
    if (column.max_length) {
        checks.push_back(fmt::format("CHECK (length({}) <= {})", name, *column.max_length));
    }
    if (!column.choices.empty()) {
        std::string list;
        for (const std::string& choice : column.choices) {
            list += (list.empty() ? "" : ",") + sql_literal(Value{choice});
        }
        checks.push_back(fmt::format("CHECK ({} IN ({}))", name, list));
    }
    return checks;
}

// "name" TYPE [PRIMARY KEY] [NOT NULL] [UNIQUE] [DEFAULT x] [CHECK ...]. For ALTER TABLE ADD
// COLUMN, without UNIQUE (SQLite refuses it there; a unique index is created instead).
std::string column_definition(const Column& column, bool for_add_column) {
    std::string def = quote_identifier(column.name) + " " + std::string(type_name(column.type));
    if (column.primary_key) {
        def += " PRIMARY KEY";
    }
    if (!column.nullable && !integer_primary_key(column)) {
        def += " NOT NULL";
    }
    if (column.unique && !column.primary_key && !for_add_column) {
        def += " UNIQUE";
    }
    if (column.default_value) {
        def += " DEFAULT " + sql_literal(*column.default_value);
    }
    for (const std::string& check : column_checks(column)) {
        def += " " + check;
    }
    return def;
}

// Field names -> column names.
std::vector<std::string> column_names(const ModelInfo& model, const std::vector<std::string>& fields) {
    std::vector<std::string> names;
    for (const std::string& field : fields) {
        const Column* column = model.field(field);
        names.push_back(column ? column->name : field);
    }
    return names;
}

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        out += (out.empty() ? "" : ", ") + quote_identifier(name);
    }
    return out;
}

std::string index_name(const ModelInfo& model, const std::vector<std::string>& columns, std::string_view suffix) {
    std::string name = model.table;
    for (const std::string& column : columns) {
        name += "_" + column;
    }
    return name + "_" + std::string(suffix);
}

// The model's plain indexes (meta::indexes, db_index) as column lists, without duplicates.
std::vector<std::vector<std::string>> model_indexes(const ModelInfo& model) {
    std::vector<std::vector<std::string>> indexes;
    for (const auto& fields : model.indexes) {
        std::vector<std::string> columns = column_names(model, fields);
        if (!columns.empty() && std::find(indexes.begin(), indexes.end(), columns) == indexes.end()) {
            indexes.push_back(std::move(columns));
        }
    }
    return indexes;
}

// The model's uniqueness constraints as column lists: unique columns (not the primary key),
// then unique_together.
std::vector<std::vector<std::string>> model_uniques(const ModelInfo& model) {
    std::vector<std::vector<std::string>> uniques;
    for (const Column& column : model.columns) {
        if (column.unique && !column.primary_key) {
            uniques.push_back({column.name});
        }
    }
    for (const auto& fields : model.unique_together) {
        if (!fields.empty()) {
            uniques.push_back(column_names(model, fields));
        }
    }
    return uniques;
}

std::string create_index(const ModelInfo& model, const std::vector<std::string>& columns, bool unique) {
    return fmt::format("CREATE {}INDEX {} ON {} ({})", unique ? "UNIQUE " : "",
                       quote_identifier(index_name(model, columns, unique ? "uniq" : "idx")),
                       quote_identifier(model.table), quoted_list(columns));
}

// ---- the database side -------------------------------------------------------------------------

struct DbColumn {
    std::string name;
    std::string type;
    bool not_null = false;
    std::optional<std::string> default_sql;
    bool primary_key = false;
};

struct DbIndex {
    std::string name;
    bool unique = false;
    std::vector<std::string> columns;  // "" for an expression
};

struct DbTable {
    std::string kind;  // sqlite_schema.type: "" when there is no such object, else "table", "view", ...
    std::string sql;   // the CREATE TABLE text
    std::vector<DbColumn> columns;
    std::vector<DbIndex> indexes;
};

std::string text_of(const Row& row, int column) { return std::string(row.text(column)); }

DbTable read_table(Database& db, const std::string& table) {
    DbTable result;
    const Value name{table};
    for (const Row& row : db.query("SELECT type, sql FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE "
                                   "AND type IN ('table', 'view')",
                                   {name})) {
        result.kind = text_of(row, 0);
        result.sql = text_of(row, 1);
    }
    if (result.kind != "table") {
        return result;
    }
    for (const Row& row :
         db.query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1, 'main')", {name})) {
        DbColumn& column = result.columns.emplace_back();
        column.name = text_of(row, 0);
        column.type = text_of(row, 1);
        column.not_null = row.int64(2) != 0;
        if (!row.is_null(3)) {
            column.default_sql = text_of(row, 3);
        }
        column.primary_key = row.int64(4) != 0;
    }
    for (const Row& row : db.query("SELECT name, \"unique\" FROM pragma_index_list(?1, 'main')", {name})) {
        DbIndex& index = result.indexes.emplace_back();
        index.name = text_of(row, 0);
        index.unique = row.int64(1) != 0;
    }
    for (DbIndex& index : result.indexes) {
        for (const Row& row :
             db.query("SELECT name FROM pragma_index_info(?1, 'main') ORDER BY seqno", {Value{index.name}})) {
            index.columns.push_back(text_of(row, 0));
        }
    }
    return result;
}

bool has_rows(Database& db, const std::string& table) {
    const Value exists = db.query_value("SELECT EXISTS (SELECT 1 FROM main." + quote_identifier(table) + ")");
    return std::get<std::int64_t>(exists) != 0;
}

bool same_columns(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_name(a[i], b[i])) return false;
    }
    return true;
}

bool same_column_set(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (const std::string& name : a) {
        if (std::none_of(b.begin(), b.end(), [&](const std::string& other) { return same_name(name, other); })) {
            return false;
        }
    }
    return true;
}

// ---- the comparison ----------------------------------------------------------------------------

enum class Action {
    Apply,   // migrate does it (create a table or index, add a column)
    Refuse,  // migrate refuses: data would be lost or the table would need a rebuild
    Report,  // reported only: migrate leaves it as it is
};

struct Difference {
    Action action;
    std::string text;  // "Author (authors): ..."
};

struct Plan {
    std::vector<Difference> differences;
    std::vector<std::string> statements;  // what migrate runs, in order

    bool refused() const {
        return std::any_of(differences.begin(), differences.end(),
                           [](const Difference& d) { return d.action == Action::Refuse; });
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (const Difference& d : differences) out.push_back(d.text);
        return out;
    }
};

void plan_model(Database& db, const ModelInfo& model, Plan& plan) {
    const std::string who = fmt::format("{} ({})", model.name, model.table);
    auto add = [&](Action action, std::string text) { plan.differences.push_back({action, who + ": " + text}); };
    const DbTable table = read_table(db, model.table);

    if (table.kind.empty()) {
        add(Action::Apply, fmt::format("table {} does not exist (migrate creates it)", model.table));
        plan.statements.push_back(create_table_sql(model));
        for (std::string& index : create_index_sql(model)) plan.statements.push_back(std::move(index));
        return;
    }
    if (table.kind != "table") {
        add(Action::Refuse, fmt::format("{} is a {}, not a table (migrate refuses to replace it)", model.table,
                                        table.kind));
        return;
    }

    std::vector<std::string> index_statements;
    std::optional<bool> rows;  // read when needed
    auto find_db_column = [&](std::string_view name) -> const DbColumn* {
        for (const DbColumn& c : table.columns) {
            if (same_name(c.name, name)) return &c;
        }
        return nullptr;
    };

    for (const Column& column : model.columns) {
        const std::string where = fmt::format("{}.{} (field {})", model.table, column.name, column.field);
        const DbColumn* existing = find_db_column(column.name);
        if (!existing) {
            const bool null_default = !column.default_value || std::holds_alternative<std::nullptr_t>(*column.default_value);
            if (column.primary_key) {
                add(Action::Refuse, fmt::format("column {} is missing and is the primary key, which cannot be added "
                                                "to an existing table (migrate refuses)",
                                                where));
                continue;
            }
            if (!column.nullable && null_default) {
                if (!rows) rows = has_rows(db, model.table);
                if (*rows) {
                    add(Action::Refuse,
                        fmt::format("column {} is missing and cannot be added: it is NOT NULL without a default and "
                                    "the table has rows (migrate refuses; give the field a default_value or make it "
                                    "std::optional)",
                                    where));
                    continue;
                }
            }
            add(Action::Apply, fmt::format("column {} is missing (migrate adds it with ALTER TABLE ADD COLUMN{})",
                                           where, column.unique ? " and a unique index" : ""));
            plan.statements.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {}", quote_identifier(model.table),
                                                  column_definition(column, true)));
            continue;
        }
        const std::string_view want_type = type_name(column.type);
        if (affinity(existing->type) != affinity(want_type)) {
            add(Action::Refuse, fmt::format("migrate would change the type of column {} from {} to {} (refused: "
                                            "it needs a table rebuild and may lose data)",
                                            where, existing->type.empty() ? "(none)" : existing->type, want_type));
        }
        if (existing->primary_key != column.primary_key) {
            add(Action::Refuse, fmt::format("column {} {} the primary key in the database but {} in the model "
                                            "(migrate refuses: changing the primary key needs a table rebuild)",
                                            where, existing->primary_key ? "is" : "is not",
                                            column.primary_key ? "is" : "is not"));
        } else if (!column.primary_key && existing->not_null == column.nullable) {
            add(Action::Refuse, fmt::format("column {} is {} in the database but {} in the model (migrate refuses: "
                                            "changing NOT NULL needs a table rebuild)",
                                            where, existing->not_null ? "NOT NULL" : "nullable",
                                            column.nullable ? "nullable" : "NOT NULL"));
        }
        const std::optional<std::string> want_default =
            column.default_value ? std::optional<std::string>(sql_literal(*column.default_value)) : std::nullopt;
        if (existing->default_sql != want_default) {
            add(Action::Report, fmt::format("column {} has DEFAULT {} in the database, the model says {} (reported "
                                            "only: migrate does not change defaults)",
                                            where, existing->default_sql.value_or("(none)"),
                                            want_default.value_or("(none)")));
        }
        for (const std::string& check : column_checks(column)) {
            if (table.sql.find(check) == std::string::npos) {
                add(Action::Report, fmt::format("column {}: the database lacks {} (reported only: migrate does not "
                                                "change CHECK constraints)",
                                                where, check));
            }
        }
    }

    for (const DbColumn& existing : table.columns) {
        const bool mapped = std::any_of(model.columns.begin(), model.columns.end(),
                                        [&](const Column& c) { return same_name(c.name, existing.name); });
        if (!mapped) {
            add(Action::Refuse, fmt::format("migrate would drop column {}.{} (data would be lost): no field of {} is "
                                            "stored in it (refused)",
                                            model.table, existing.name, model.name));
        }
    }

    for (const auto& columns : model_uniques(model)) {
        const bool present = std::any_of(table.indexes.begin(), table.indexes.end(), [&](const DbIndex& index) {
            return index.unique && same_column_set(index.columns, columns);
        });
        if (!present) {
            const bool new_column = columns.size() == 1 && !find_db_column(columns.front());
            if (!new_column) {  // a new UNIQUE column is already listed with its ADD COLUMN
                add(Action::Apply, fmt::format("UNIQUE ({}) is missing (migrate creates unique index {})",
                                               quoted_list(columns), index_name(model, columns, "uniq")));
            }
            index_statements.push_back(create_index(model, columns, true));
        }
    }
    for (const auto& columns : model_indexes(model)) {
        const bool present = std::any_of(table.indexes.begin(), table.indexes.end(),
                                         [&](const DbIndex& index) { return same_columns(index.columns, columns); });
        if (!present) {
            add(Action::Apply, fmt::format("index on ({}) is missing (migrate creates index {})", quoted_list(columns),
                                           index_name(model, columns, "idx")));
            index_statements.push_back(create_index(model, columns, false));
        }
    }
    for (std::string& statement : index_statements) plan.statements.push_back(std::move(statement));
}

// ---- relations ------------------------------------------------------------------------------

// The automatic junction table of a ManyToMany, described as a model (Django makes one too), so
// that creating, checking and printing it is what every model gets. Built once per relation.
const ModelInfo& junction_model(const ModelInfo& model, const Relation& relation) {
    static std::mutex mutex;
    static std::map<const Relation*, std::unique_ptr<const ModelInfo>> junctions;
    const std::lock_guard lock(mutex);
    auto& slot = junctions[&relation];
    if (!slot) {
        const RelationLink link = detail::forward_link(model, relation);
        auto info = std::make_unique<ModelInfo>();
        info->name = model.name + "_" + relation.field;
        info->table = link.junction;
        Column id;
        id.field = id.name = "id";
        id.primary_key = true;
        info->columns.push_back(id);
        for (const auto& [name, key] : {std::pair{link.junction_from, link.from_column},
                                         std::pair{link.junction_to, link.to_column}}) {
            Column c;
            c.field = c.name = name;
            c.type = key->type;
            info->columns.push_back(c);
        }
        info->unique_together.push_back({link.junction_from, link.junction_to});
        info->indexes.push_back({link.junction_to});  // the reverse side's lookups
        slot = std::move(info);
    }
    return *slot;
}

// The models, then the through models and automatic junction tables their relations need.
std::vector<const ModelInfo*> with_relation_tables(std::span<const ModelInfo* const> models) {
    std::vector<const ModelInfo*> out(models.begin(), models.end());
    for (const ModelInfo* model : models) {
        for (const Relation& r : model->relations) {
            if (r.kind != RelationKind::ManyToMany) continue;
            const ModelInfo* table = r.through ? &r.through() : &junction_model(*model, r);
            if (std::find(out.begin(), out.end(), table) == out.end()) out.push_back(table);
        }
    }
    return out;
}

// One relation as a covet_relations row: the columns, in order, and their values.
constexpr std::array<std::string_view, 12> relation_columns{
    "name", "kind", "from_table", "from_column", "to_table", "to_column", "on_delete", "related_name",
    "through_table", "through_from_column", "through_to_column", "default_value"};
// The columns migrate may change in place (covet_relations allows UPDATE of these).
constexpr std::size_t first_changeable = 6;

std::array<Value, 12> relation_row(const ModelInfo& model, const Relation& r) {
    const RelationLink link = detail::forward_link(model, r);
    const std::string reverse = detail::reverse_accessor(model, r);
    const bool many = r.kind == RelationKind::ManyToMany;
    auto text = [](const std::string& t) { return t.empty() ? Value{nullptr} : Value{t}; };
    static constexpr const char* kinds[] = {"foreign_key", "one_to_one", "many_to_many"};
    return {Value{link.name},
            Value{std::string(kinds[static_cast<int>(r.kind)])},
            Value{model.table},
            many ? Value{nullptr} : Value{link.from_column->name},
            Value{link.to->table},
            Value{link.to_column->name},
            many ? Value{nullptr} : Value{std::string(on_delete_name(r.on_delete))},
            Value{reverse.empty() ? std::string("+") : reverse},
            text(link.junction),
            text(link.junction_from),
            text(link.junction_to),
            r.default_key ? *r.default_key : Value{nullptr}};
}

std::string insert_relation(const std::array<Value, 12>& row) {
    std::string values;
    for (const Value& v : row) values += (values.empty() ? "" : ", ") + sql_literal(v);
    return fmt::format("INSERT INTO covet_relations({}) VALUES ({})", fmt::join(relation_columns, ", "), values);
}

// Registers each relation of the models in covet_relations (after their tables exist), or
// updates the on_delete / related_name / default_value of one registered already; a relation
// registered with other tables or columns is refused (it would need a data migration).
void plan_relations(Database& db, std::span<const ModelInfo* const> models, Plan& plan) {
    const bool have_store = db.query_value("SELECT count(*) FROM sqlite_schema WHERE name = '_covet_relations'") !=
                            Value{std::int64_t{0}};
    for (const ModelInfo* model : models) {
        for (const Relation& r : model->relations) {
            const std::array<Value, 12> row = relation_row(*model, r);
            const std::string& name = std::get<std::string>(row[0]);
            const std::string who = fmt::format("{} ({}): relation {}", model->name, model->table, name);
            std::optional<std::array<Value, 12>> stored;
            if (have_store) {
                for (const Row& found : db.query(fmt::format("SELECT {} FROM covet_relations WHERE name = ?1",
                                                             fmt::join(relation_columns, ", ")),
                                                 {row[0]})) {
                    stored.emplace();
                    for (std::size_t i = 0; i < row.size(); ++i) (*stored)[i] = found.value(static_cast<int>(i));
                }
            }
            if (!stored) {
                plan.differences.push_back({Action::Apply, who + " is not registered (migrate registers it)"});
                plan.statements.push_back(insert_relation(row));
                continue;
            }
            std::vector<std::string> changes;
            std::vector<std::string> refused;
            for (std::size_t i = 1; i < row.size(); ++i) {
                if ((*stored)[i] == row[i]) continue;
                const std::string change = fmt::format("{} is {} in the database, {} in the model", relation_columns[i],
                                                       sql_literal((*stored)[i]), sql_literal(row[i]));
                (i >= first_changeable && i != 8 && i != 9 && i != 10 ? changes : refused).push_back(change);
            }
            for (const std::string& c : refused)
                plan.differences.push_back({Action::Refuse, who + ": " + c + " (delete the relation from "
                                                                          "covet_relations to change it)"});
            if (!changes.empty()) {
                plan.differences.push_back({Action::Apply, who + ": " + fmt::format("{}", fmt::join(changes, "; ")) +
                                                               " (migrate updates it)"});
                std::string set;
                for (std::size_t i = first_changeable; i < row.size(); ++i) {
                    if (i == 8 || i == 9 || i == 10) continue;  // through_*: never changed in place
                    set += (set.empty() ? "" : ", ") + std::string(relation_columns[i]) + " = " + sql_literal(row[i]);
                }
                plan.statements.push_back(
                    fmt::format("UPDATE covet_relations SET {} WHERE name = {}", set, sql_literal(row[0])));
            }
        }
    }
}

Plan make_plan(Database& db, std::span<const ModelInfo* const> models) {
    for (std::size_t i = 0; i < models.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (models[i] != models[j] && same_name(models[i]->table, models[j]->table)) {
                throw SchemaError(fmt::format("covet: models {} and {} both use table \"{}\"", models[j]->name,
                                              models[i]->name, models[i]->table));
            }
        }
    }
    Plan plan;
    const std::vector<const ModelInfo*> tables = with_relation_tables(models);
    for (std::size_t i = 0; i < tables.size(); ++i) {
        if (std::find(tables.begin(), tables.begin() + static_cast<std::ptrdiff_t>(i), tables[i]) ==
            tables.begin() + static_cast<std::ptrdiff_t>(i)) {
            plan_model(db, *tables[i], plan);
        }
    }
    std::vector<const ModelInfo*> declaring;  // the models and their through models (not junctions)
    for (const ModelInfo* table : tables)
        if (table->ops.fields != nullptr) declaring.push_back(table);
    plan_relations(db, declaring, plan);
    return plan;
}

}  // namespace

std::string create_table_sql(const ModelInfo& model) {
    std::string parts;
    for (const Column& column : model.columns) {
        parts += (parts.empty() ? "" : ", ") + column_definition(column, false);
    }
    for (const auto& fields : model.unique_together) {
        if (!fields.empty()) {
            parts += ", UNIQUE (" + quoted_list(column_names(model, fields)) + ")";
        }
    }
    return fmt::format("CREATE TABLE {} ({})", quote_identifier(model.table), parts);
}

std::vector<std::string> create_index_sql(const ModelInfo& model) {
    std::vector<std::string> statements;
    for (const auto& columns : model_indexes(model)) {
        statements.push_back(create_index(model, columns, false));
    }
    return statements;
}

std::string schema_sql(std::span<const ModelInfo* const> models) {
    std::string sql;
    const std::vector<const ModelInfo*> tables = with_relation_tables(models);
    for (std::size_t i = 0; i < tables.size(); ++i) {
        if (std::find(tables.begin(), tables.begin() + static_cast<std::ptrdiff_t>(i), tables[i]) !=
            tables.begin() + static_cast<std::ptrdiff_t>(i)) {
            continue;  // listed twice
        }
        sql += create_table_sql(*tables[i]) + ";\n";
        for (const std::string& index : create_index_sql(*tables[i])) {
            sql += index + ";\n";
        }
    }
    for (const ModelInfo* model : tables) {
        for (const Relation& r : model->relations) sql += insert_relation(relation_row(*model, r)) + ";\n";
    }
    return sql;
}

std::vector<std::string> check_models(Database& db, std::span<const ModelInfo* const> models) {
    // In a read transaction, so that every table is read from the same snapshot.
    return db.transaction([&] { return make_plan(db, models).lines(); });
}

// A database that has statistics (ANALYZE was run: sqlite_stat1 exists) keeps them complete: the
// tables of the models whose indexes have no statistics yet (created by this migrate, or by the
// extension for a relation's key column) are analyzed. SQLite plans a table with an index it has
// no statistics for as if it held a million rows: a 50-row table of categories then turned a
// ManyToMany filter into a scan of the whole junction table. Without sqlite_stat1 (the database
// was never analyzed), nothing is done.
void analyze_new_indexes(Database& db, std::span<const ModelInfo* const> models) {
    if (sqlite3_table_column_metadata(db.handle(), "main", "sqlite_stat1", nullptr, nullptr, nullptr, nullptr, nullptr,
                                      nullptr) != SQLITE_OK)
        return;
    std::vector<Value> tables;
    for (const ModelInfo* table : with_relation_tables(models)) tables.emplace_back(table->table);
    std::vector<std::string> stale;
    for (const Row& row : db.query("SELECT DISTINCT tbl_name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN "
                                   "(SELECT value FROM json_each(?1)) AND name NOT IN (SELECT idx FROM sqlite_stat1 "
                                   "WHERE idx IS NOT NULL)",
                                   {Value{detail::keys_json(tables)}}))
        stale.emplace_back(row.text(0));
    for (const std::string& table : stale) db.execute("ANALYZE " + quote_identifier(table));
}

void migrate_models(Database& db, std::span<const ModelInfo* const> models) {
    db.transaction(TransactionMode::Immediate, [&] {
        const Plan plan = make_plan(db, models);
        if (plan.refused()) {
            std::string message = fmt::format(
                "covet: migrate refused: the models differ from the database in ways that would lose data or need "
                "a table rebuild; nothing was changed. Differences:");
            for (const Difference& d : plan.differences) {
                message += "\n  " + d.text;
            }
            throw SchemaError(message);
        }
        // Tables first, then the relations (their triggers need the tables): all in this transaction.
        for (const std::string& statement : plan.statements) {
            try {
                db.execute(statement);
            } catch (const Error& error) {
                if (!statement.starts_with("INSERT INTO covet_relations") &&
                    !statement.starts_with("UPDATE covet_relations"))
                    throw;
                throw SchemaError(fmt::format("covet: migrate could not register a relation; nothing was changed "
                                              "(every model a relation refers to must be migrated too): {}",
                                              error.what()));
            }
        }
        // covet's triggers and indexes as this covet makes them: missing ones (dropped by hand) and
        // outdated ones (edited, or made by an older covet) are rebuilt; none when all is in order.
        const Value synced = db.query_value("SELECT covet_sync()");
        if (!plan.statements.empty() || synced != Value{std::int64_t{0}}) analyze_new_indexes(db, models);
    });
    register_models(db, with_relation_tables(models));  // automatic junctions too, for their names
}

}  // namespace covet
