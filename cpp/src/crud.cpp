// The non-template parts of crud.hpp: the per-model SQL text, error construction, and the parsing
// of covet_delete()'s result.
#include <covet/crud.hpp>

#include "deferred_references.hpp"

#include <covet/registry.hpp>
#include <covet/sql_printer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace covet::detail {

namespace {

std::string placeholder(std::size_t column) { return "?" + std::to_string(column + 1); }

std::string column_list(const ModelInfo& info) {
    std::string out;
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        if (i > 0) out += ", ";
        out += quote_identifier(info.columns[i].name);
    }
    return out;
}

// A value as shown in a message: long texts cut.
std::string shown(const Value& value) {
    std::string text = covet::describe(value);
    if (text.size() > 80) text = text.substr(0, 76) + "...'";
    return text;
}

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Where `word` occurs in text as a whole identifier (not inside a longer name); npos if nowhere.
std::size_t find_identifier(std::string_view text, std::string_view word) {
    if (word.empty()) return std::string_view::npos;
    for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
        const bool start_ok = at == 0 || !identifier_char(text[at - 1]);
        const std::size_t end = at + word.size();
        const bool end_ok = end == text.size() || !identifier_char(text[end]);
        if (start_ok && end_ok) return at;
    }
    return std::string_view::npos;
}

// The columns of the model that SQLite's constraint message names, in the order it names them:
// "UNIQUE constraint failed: authors.email", "NOT NULL constraint failed: authors.name",
// "CHECK constraint failed: pages >= 0", covet's "books.author_id must reference ...".
std::vector<std::size_t> named_columns(const ModelInfo& info, std::string_view message, int code) {
    std::vector<std::pair<std::size_t, std::size_t>> found;  // (position, column)
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        const std::string& name = info.columns[i].name;
        std::size_t at = find_identifier(message, info.table + "." + name);
        if (at == std::string_view::npos && code == SQLITE_CONSTRAINT_CHECK) {
            // The constraint's expression (or name): "name" quoted, or the bare identifier.
            const std::size_t colon = message.find(": ");
            const std::string_view expression = colon == std::string_view::npos ? message : message.substr(colon + 2);
            at = expression.find(quote_identifier(name));
            if (at == std::string_view::npos) at = find_identifier(expression, name);
        }
        if (at != std::string_view::npos) found.emplace_back(at, i);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::size_t> columns;
    for (const auto& entry : found) columns.push_back(entry.second);
    return columns;
}

std::string conditions(const ModelInfo& info, std::span<const std::size_t> columns, const std::vector<Value>& values) {
    std::string out;
    for (std::size_t k = 0; k < columns.size(); ++k) {
        if (k > 0) out += " AND ";
        const std::size_t c = columns[k];
        out += info.columns[c].field + " = " + (c < values.size() ? shown(values[c]) : std::string("?"));
    }
    return out;
}

// ---- covet_delete()'s JSON: {"total": N, "per_table": {"t": n, ...}}

}  // namespace

CrudSql build_crud_sql(const ModelInfo& info) {
    CrudSql sql;
    const std::size_t n = info.columns.size();
    const Column& key = info.columns.at(info.primary_key);
    const std::string table = quote_identifier(info.table);
    const std::string columns = column_list(info);
    const std::string key_name = quote_identifier(key.name);
    sql.integer_key = key.type == ColumnType::Integer;

    std::string values;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) values += ", ";
        if (i == info.primary_key && sql.integer_key)
            values += "nullif(" + placeholder(i) + ", 0)";
        else
            values += placeholder(i);
    }
    sql.insert = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, columns, values);
    sql.insert_returning = sql.insert + " RETURNING " + key_name;

    std::string assignments;
    for (std::size_t i = 0; i < n; ++i) {
        if (i == info.primary_key) continue;
        if (!assignments.empty()) assignments += ", ";
        assignments += quote_identifier(info.columns[i].name) + " = " + placeholder(i);
    }
    if (assignments.empty()) assignments = key_name + " = " + placeholder(info.primary_key);  // only a key
    sql.update = fmt::format("UPDATE {} SET {} WHERE {} = {} RETURNING 1", table, assignments, key_name,
                             placeholder(info.primary_key));

    sql.select = fmt::format("SELECT {} FROM {} WHERE {} = ?1", columns, table, key_name);
    sql.remove = "SELECT covet_delete(?1, json_array(?2))";
    sql.validated.reserve(n);
    for (const Column& c : info.columns) {
        const bool rules = c.max_length || c.email || c.url || !c.validators.empty() || !c.choices.empty();
        sql.validated.push_back(rules ? 1 : 0);
        sql.any_validated = sql.any_validated || rules;
    }
    return sql;
}

std::string lookup_sql(const ModelInfo& info, std::span<const std::size_t> columns) {
    std::string where;
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const Column& c = info.columns.at(columns[k]);
        if (k > 0) where += " AND ";
        where += quote_identifier(c.name) + (c.nullable ? " IS " : " = ") + placeholder(k);
    }
    return fmt::format("SELECT {} FROM {} WHERE {} LIMIT 2", column_list(info), quote_identifier(info.table), where);
}

std::size_t lookup_column(const ModelInfo& info, std::string_view field) {
    if (const Column* c = info.field(field)) return static_cast<std::size_t>(c - info.columns.data());
    throw UsageError(info.no_field_message(field), {.model = info.name,
                                                                                         .field = std::string(field)});
}

void throw_not_a_field(const ModelInfo& info) {
    throw UsageError(fmt::format("covet: a lookup member pointer is not a reflected field of {}", info.name),
                     {.model = info.name});
}

void throw_validation(const ModelInfo& info, const std::vector<Problem>& problems, std::ptrdiff_t row) {
    std::string message = "covet: invalid " + info.name;
    if (row >= 0) message += fmt::format(" (object {} of bulk_create)", row);
    message += ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
        const Problem& p = problems[i];
        if (i > 0) message += "; ";
        message += fmt::format("{}.{}: {} (value: {})", info.name, info.columns[p.column].field, p.message,
                               shown(p.value));
    }
    const Problem& first = problems.front();
    throw ValidationError(message, {.model = info.name,
                                    .field = info.columns[first.column].field,
                                    .value = covet::describe(first.value)});
}

void throw_integrity(const ModelInfo& info, const IntegrityError& error, std::string_view action,
                     const std::vector<Value>& values) {
    Error::Details details = error.details();
    details.model = info.name;
    std::string about;
    if (!values.empty()) {  // deletes name other tables' columns: no field then
        const std::vector<std::size_t> columns = named_columns(info, error.sqlite_message(), error.sqlite_code());
        std::string fields;
        std::string shown_values;
        for (std::size_t c : columns) {
            if (!fields.empty()) fields += ", ";
            fields += info.columns[c].field;
            if (!shown_values.empty()) shown_values += ", ";
            shown_values += info.columns[c].field + " = " + shown(values[c]);
        }
        details.field = fields;
        if (columns.size() == 1) details.value = covet::describe(values[columns.front()]);
        if (!columns.empty()) about = " (" + shown_values + ")";
    }
    const std::string message = fmt::format("covet: cannot {} {}{}: {}", action, info.name, about, error.what());
    if (dynamic_cast<const ProtectedError*>(&error)) throw ProtectedError(message, std::move(details));
    if (dynamic_cast<const RestrictedError*>(&error)) throw RestrictedError(message, std::move(details));
    throw IntegrityError(message, std::move(details));
}

void throw_does_not_exist(const ModelInfo& info, const Value& key) {
    const std::string& field = info.columns.at(info.primary_key).field;
    throw DoesNotExist(fmt::format("covet: {} matching {} = {} does not exist", info.name, field, shown(key)),
                       {.model = info.name, .field = field, .value = covet::describe(key)});
}

void throw_lookup_multiple(const ModelInfo& info, std::span<const std::size_t> columns,
                           const std::vector<Value>& values) {
    std::string fields;
    for (std::size_t c : columns) fields += (fields.empty() ? "" : ", ") + info.columns[c].field;
    throw MultipleObjectsReturned(
        fmt::format("covet: more than one {} matches {}", info.name, conditions(info, columns, values)),
        {.model = info.name, .field = fields});
}

void throw_unsaved_delete(const ModelInfo& info) {
    const std::string& field = info.columns.at(info.primary_key).field;
    throw UsageError(fmt::format("covet: {} cannot be deleted: its primary key {} is not set", info.name, field),
                     {.model = info.name, .field = field});
}

void validate_object(const ModelInfo& info, const CrudSql& sql, ModelOps ops, const void* object, std::ptrdiff_t row) {
    if (!sql.any_validated) {
        return;
    }
    std::vector<Problem> problems;
    for (std::size_t column = 0; column < ops.count; ++column) {
        if (!sql.validated[column]) {
            continue;
        }
        Value value = field_value(ops, object, column);
        std::string message = validate_value(info.columns[column], value);
        if (!message.empty()) {
            problems.push_back(Problem{column, std::move(value), std::move(message)});
        }
    }
    if (!problems.empty()) {
        throw_validation(info, problems, row);
    }
}

bool step_write(Cursor& cursor, const ModelInfo& info, ModelOps ops, const void* object, std::string_view action) {
    try {
        const bool row = cursor.next();
        if (row) {
            while (cursor.next()) {
            }
        }
        return row;
    } catch (const IntegrityError& error) {
        throw_integrity(info, error, action, to_values(ops, object));
    }
}

// Whether the table's primary key column is SQLite's rowid (declared INTEGER PRIMARY KEY in a
// rowid table), so that sqlite3_last_insert_rowid() is the key an INSERT assigned. Read from the
// schema SQLite has loaded (no statement); false when unsure (the INSERT then says RETURNING).
bool key_is_rowid(Database& db, const ModelInfo& info) {
    const char* type = nullptr;
    int primary = 0;
    if (sqlite3_table_column_metadata(db.handle(), "main", info.table.c_str(),
                                      info.columns[info.primary_key].name.c_str(), &type, nullptr, nullptr, &primary,
                                      nullptr) != SQLITE_OK)
        return false;
    // A WITHOUT ROWID table never assigns a key (its primary key is NOT NULL): no INSERT asks.
    return primary != 0 && type != nullptr && sqlite3_stricmp(type, "INTEGER") == 0;
}

namespace {

// Whether SQLite assigns the object's key when it is inserted: an integer key not set.
bool key_assigned(const ModelInfo& info, const CrudSql& sql, ModelOps ops, const void* object) {
    return sql.integer_key && primary_key_unset(info, ops, object);
}

// insert_row() with the schema question answered once per statement run (see key_is_rowid).
void insert_one(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* object, bool rowid_key) {
    const bool assign = key_assigned(info, sql, ops, object);
    // The key comes back with RETURNING only when SQLite assigns one that is not the rowid.
    const bool rowid = assign && rowid_key;
    Cursor cursor = db.query_unbound(assign && !rowid ? sql.insert_returning : sql.insert);
    bind_fields(ops, object, cursor.handle(), 1);
    std::int64_t key = 0;
    try {
        if (cursor.next()) {
            key = cursor.row().int64(0);
            while (cursor.next()) {
            }
        }
    } catch (const IntegrityError& error) {
        throw_integrity(info, error, "save", to_values(ops, object));
    }
    if (rowid) key = sqlite3_last_insert_rowid(db.handle());
    if (assign) {
        set_field(ops, object, info.primary_key, Value{key});
    }
    attach_relations(info, object, db.ref(), 0);
}

}  // namespace

void insert_row(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* object) {
    insert_one(db, info, sql, ops, object, key_is_rowid(db, info));
}

void bulk_insert(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* first,
                 std::size_t count, std::size_t size) {
    // Only ForeignKey / OneToOne columns have a trigger worth deferring; for other models looking
    // the relations up would be one statement more for nothing.
    std::optional<DeferredReferences> references;
    if (std::any_of(info.relations.begin(), info.relations.end(),
                    [](const Relation& r) { return r.kind != RelationKind::ManyToMany; })) {
        std::vector<std::string> columns;
        for (const Column& c : info.columns) columns.push_back(c.name);
        references.emplace(db, info.table, columns, [&](std::size_t row) {
            return fmt::format("object {} of {}'s bulk_create", row, info.name);
        });
    }
    auto* bytes = static_cast<std::byte*>(first);
    auto object_at = [&](std::size_t row) -> void* { return bytes + row * size; };
    auto note = [&](std::size_t row) {
        if (references)
            for (std::size_t column : references->columns())
                references->note(column, field_value(ops, object_at(row), column), row);
    };
    if (sql.integer_key && !key_is_rowid(db, info)) {
        // A key SQLite assigns comes back through RETURNING: insert_row()'s way, object by object.
        for (std::size_t row = 0; row < count; ++row) {
            insert_one(db, info, sql, ops, object_at(row), false);
            note(row);
        }
    } else {
        // One INSERT for every object (an assigned key is the rowid): the statement checked out once.
        const Provenances from = provenances(db.ref(), info, 0);
        std::size_t current = 0;
        bool assign = false;
        auto bind = [&](sqlite3_stmt* stmt, std::size_t row) {
            current = row;
            assign = key_assigned(info, sql, ops, object_at(row));
            bind_fields(ops, object_at(row), stmt, 1);
        };
        auto inserted = [&](std::size_t row) {
            if (assign) set_field(ops, object_at(row), info.primary_key, Value{db.last_insert_rowid()});
            attach_relations(info, object_at(row), from);
            note(row);
        };
        try {
            db.execute_each(sql.insert, count, bind, inserted);
        } catch (const IntegrityError& error) {
            throw_integrity(info, error, "save", to_values(ops, object_at(current)));
        }
    }
    if (references) references->finish();
}

bool update_row(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* object) {
    Cursor cursor = db.query_unbound(sql.update);
    bind_fields(ops, object, cursor.handle(), 1);
    const bool found = step_write(cursor, info, ops, object, "save");
    if (found) attach_relations(info, object, db.ref(), 0);
    return found;
}

void throw_delete_refused(Database& db, const ModelInfo& info, const IntegrityError& error, const Value& keys) {
    if (!dynamic_cast<const ProtectedError*>(&error) && !dynamic_cast<const RestrictedError*>(&error))
        throw_integrity(info, error, "delete", {});
    // The objects that forbid it, from the same computation covet_delete() made (Django's
    // ProtectedError.protected_objects).
    std::vector<std::string> blocking;
    for (const Row& row : db.query("SELECT table_name, pk FROM covet_delete_plan(?1, ?2) WHERE blocking "
                                   "ORDER BY table_name, pk",
                                   {Value{info.table}, keys})) {
        const std::string table(row.text(0));
        const ModelInfo* model = find_model(db, table);
        blocking.push_back(fmt::format("{}({})", model ? model->name : table, covet::describe(row.value(1))));
    }
    Error::Details details = error.details();
    details.model = info.name;
    details.blocking = blocking;
    // The extension's message ("covet: PROTECT: cannot delete from authors: ... relation
    // loans.book ..."), then the objects.
    std::string message = error.sqlite_message();
    if (!blocking.empty()) message += fmt::format("; blocked by {}", fmt::join(blocking, ", "));
    if (dynamic_cast<const ProtectedError*>(&error)) throw ProtectedError(message, std::move(details));
    throw RestrictedError(message, std::move(details));
}

}  // namespace covet::detail
