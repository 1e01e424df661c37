// Create, read, update, delete: the definitions of Database's model member templates (declared in
// database.hpp), Django's Model.save() / delete() / objects.create() / get() / get_or_create() /
// update_or_create() / bulk_create() / refresh_from_db().
//
//   auto ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});   // ann.id is set
//   ann.name = "Ann B."; db.save(ann);                                          // UPDATE
//   auto [bob, created] = db.get_or_create(Author{.name = "Bob", .email = "bob@x.org"}, &Author::email);
//   Author a = db.get<Author>(ann.id);                                          // DoesNotExist
//   covet::DeleteResult r = db.remove(ann);    // r.total, r.per_table["books"] (cascades)
//
// Per row, the work is: validate the fields that have rules (max_length, email, url, custom
// validators, enum choices), check out the model's cached statement (its SQL text is built once
// per model, see crud_sql<T>()), bind every field from the object directly (bind_fields), step.
// No per-row allocation beyond the values of the validated fields.
#pragma once

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <covet/transaction.hpp>
#include <covet/value.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <covet/queryset.hpp>  // struct covet::DeleteResult (the QuerySet's remove() returns it too)

namespace covet {

namespace detail {

// The SQL of one model's single-row statements, built once per model (crud.cpp). Every statement
// has one parameter per column, ?1..?N in ModelInfo order, so bind_fields(object, stmt, 1) binds it.
struct CrudSql {
    // INSERT INTO "t" ("c1", ...) VALUES (?1, ...); an integer primary key is written as
    // nullif(?k, 0): 0 (or NULL) lets SQLite assign it, read back as sqlite3_last_insert_rowid().
    std::string insert;
    // The same + RETURNING "pk": only for a key SQLite assigns that is not the rowid (a column
    // declared INT PRIMARY KEY, say). RETURNING costs SQLite a temporary table per statement.
    std::string insert_returning;
    // UPDATE "t" SET "c" = ?i, ... WHERE "pk" = ?k RETURNING 1 (a row back: it existed).
    std::string update;
    // SELECT "c1", ... FROM "t" WHERE "pk" = ?1.
    std::string select;
    // SELECT covet_delete(?1, json_array(?2)).
    std::string remove;
    // Per column: whether it has a rule to check (max_length, email, url, validators, choices).
    std::vector<unsigned char> validated;
    bool any_validated = false;
    bool integer_key = false;  // the primary key is an INTEGER column (SQLite may assign it)
};
CrudSql build_crud_sql(const ModelInfo& info);

// SELECT every column FROM "t" WHERE "c" = ?1 AND "d" IS ?2 ... LIMIT 2 (IS for nullable columns).
std::string lookup_sql(const ModelInfo& info, std::span<const std::size_t> columns);
// The column of a C++ field name; UsageError naming the model when there is none.
std::size_t lookup_column(const ModelInfo& info, std::string_view field);
[[noreturn]] void throw_not_a_field(const ModelInfo& info);

struct Problem {
    std::size_t column;
    Value value;
    std::string message;  // validate_value()'s
};
// ValidationError naming every problem; details(): model, field and value of the first one.
// row: the object's position for bulk_create, -1 otherwise.
[[noreturn]] void throw_validation(const ModelInfo& info, const std::vector<Problem>& problems, std::ptrdiff_t row);
// Rethrows a constraint failure (keeping ProtectedError / RestrictedError) with the model, and,
// when SQLite's message names columns of the model's table, the field(s) and value.
// action: "save", "delete", ...; values: the object's (may be empty).
[[noreturn]] void throw_integrity(const ModelInfo& info, const IntegrityError& error, std::string_view action,
                                  const std::vector<Value>& values);
[[noreturn]] void throw_does_not_exist(const ModelInfo& info, const Value& key);
// For the lookups of get_or_create / update_or_create.
[[noreturn]] void throw_lookup_multiple(const ModelInfo& info, std::span<const std::size_t> columns,
                                        const std::vector<Value>& values);
[[noreturn]] void throw_unsaved_delete(const ModelInfo& info);
// A refused covet_delete(info.table, keys): ProtectedError / RestrictedError listing the objects
// that block it (from covet_delete_plan); other constraint failures as throw_integrity.
[[noreturn]] void throw_delete_refused(Database& db, const ModelInfo& info, const IntegrityError& error,
                                       const Value& keys);

// Tells the relation members of an object read or written on db where it came from.
template <class T>
void attach(Database& db, T& object) {
    attach_relations(model_info<T>(), &object, db.ref(), 0);
}
// Before a write: keys of assigned related objects saved since (ValidationError if unsaved).
template <class T>
void prepare(T& object) {
    prepare_relations(model_info<T>(), &object);
}

template <class T>
const CrudSql& crud_sql() {
    static const CrudSql sql = build_crud_sql(model_info<T>());
    return sql;
}

template <class T>
bool primary_key_unset(const T& object) {
    return primary_key_unset(model_info<T>(), model_ops<T>(), &object);
}

// Copies one field (by column index) from one object to another.
template <class T>
void copy_field(T& to, const T& from, std::size_t column) {
    copy_field(model_ops<T>(), &to, &from, column);
}

// Checks the fields that have rules; ValidationError before anything is written (crud.cpp).
void validate_object(const ModelInfo& info, const CrudSql& sql, ModelOps ops, const void* object, std::ptrdiff_t row);

template <class T>
void validate_object(const T& object, std::ptrdiff_t row = -1) {
    const CrudSql& sql = crud_sql<T>();
    if (sql.any_validated) {
        validate_object(model_info<T>(), sql, model_ops<T>(), &object, row);
    }
}

// The column of a lookup: a member pointer (&Author::email) or a C++ field name ("email").
template <class T, class L>
std::size_t lookup_index(const L& lookup) {
    if constexpr (std::is_member_object_pointer_v<L>) {
        static_assert(std::is_base_of_v<typename member_pointer_traits<L>::class_type, T>,
                      "covet: a lookup member pointer names a member of another struct");
        // Member pointers known only at run time: compare addresses on a dummy object.
        static const T dummy{};
        const void* target = &(dummy.*lookup);
        const ModelOps ops = model_ops<T>();
        std::size_t found = ops.count;
        for (std::size_t i = 0; i < ops.count; ++i) {
            if (ops.fields[i].at(const_cast<T*>(&dummy)) == target) {
                found = i;
            }
        }
        if (found == ops.count) {
            throw_not_a_field(model_info<T>());
        }
        return found;
    } else {
        static_assert(std::is_convertible_v<const L&, std::string_view>,
                      "covet: a lookup is a member pointer (&Author::email) or a field name (\"email\")");
        return lookup_column(model_info<T>(), std::string_view(lookup));
    }
}

// Steps a write statement to the end; constraint failures become IntegrityErrors naming the model.
// Returns whether it produced a row (RETURNING). (crud.cpp)
bool step_write(Cursor& cursor, const ModelInfo& info, ModelOps ops, const void* object, std::string_view action);
template <class T>
bool step_write(Cursor& cursor, const T& object, std::string_view action) {
    return step_write(cursor, model_info<T>(), model_ops<T>(), &object, action);
}

// INSERTs the object; sets its primary key when SQLite assigned it. (crud.cpp)
void insert_row(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* object);
template <class T>
void insert_row(Database& db, T& object) {
    insert_row(db, model_info<T>(), crud_sql<T>(), model_ops<T>(), &object);
}

// INSERTs `count` objects laid out `size` bytes apart, as insert_row() each; their references are
// checked once per relation at the end rather than by the extension's trigger per row
// (deferred_references.hpp). The caller holds the transaction.
void bulk_insert(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* first,
                 std::size_t count, std::size_t size);

// UPDATEs every column but the key of the row with the object's key; false when there is none.
bool update_row(Database& db, const ModelInfo& info, const CrudSql& sql, ModelOps ops, void* object);
template <class T>
bool update_row(Database& db, T& object) {
    return update_row(db, model_info<T>(), crud_sql<T>(), model_ops<T>(), &object);
}

// The only row whose lookup columns equal the object's (nullopt: none); MultipleObjectsReturned.
template <class T>
std::optional<T> find_by(Database& db, const T& object, std::span<const std::size_t> columns) {
    const ModelInfo& info = model_info<T>();
    const std::string text = lookup_sql(info, columns);
    Cursor cursor = db.query_unbound(text);
    for (std::size_t k = 0; k < columns.size(); ++k) {
        covet::bind_field(object, columns[k], cursor.handle(), static_cast<int>(k + 1));
    }
    if (!cursor.next()) {
        return std::nullopt;
    }
    std::optional<T> found{from_row<T>(cursor.handle(), 0)};
    if (cursor.next()) {
        throw_lookup_multiple(info, columns, covet::to_values(object));
    }
    attach(db, *found);
    return found;
}

}  // namespace detail

template <class T>
T Database::create(T object) {
    detail::prepare(object);
    apply_auto_now(object, true);
    detail::validate_object(object);
    detail::insert_row(*this, object);
    return object;
}

template <class T>
std::vector<T> Database::bulk_create(std::vector<T> objects) {
    const auto now = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < objects.size(); ++i) {
        detail::prepare(objects[i]);
        apply_auto_now(objects[i], true, now);
        detail::validate_object(objects[i], static_cast<std::ptrdiff_t>(i));
    }
    if (!objects.empty()) {
        transaction([&] {
            detail::bulk_insert(*this, model_info<T>(), detail::crud_sql<T>(), detail::model_ops<T>(), objects.data(),
                                objects.size(), sizeof(T));
        });
    }
    return objects;
}

template <class T>
void Database::save(T& object) {
    detail::prepare(object);
    const bool adding = detail::primary_key_unset(object);
    const auto now = std::chrono::system_clock::now();
    apply_auto_now(object, adding, now);
    detail::validate_object(object);
    if (adding) {
        detail::insert_row(*this, object);
    } else if (!detail::update_row(*this, object)) {
        // A key no row has: an INSERT with that key (Django's save() does the same).
        apply_auto_now(object, true, now);
        detail::insert_row(*this, object);
    }
}

template <class T>
DeleteResult Database::remove(const T& object) {
    const ModelInfo& info = model_info<T>();
    if (detail::primary_key_unset(object)) {
        detail::throw_unsaved_delete(info);
    }
    Value json;
    const Value key = field_value(object, info.primary_key);
    try {
        json = query_value(detail::crud_sql<T>().remove, {Value{info.table}, key});
    } catch (const IntegrityError& error) {
        detail::throw_delete_refused(*this, info, error, key);
    }
    const std::string* text = std::get_if<std::string>(&json);
    return detail::delete_result_from_json(text ? std::string_view(*text) : std::string_view());
}

template <class T>
T Database::get(const Value& key) {
    Cursor cursor = query(detail::crud_sql<T>().select, {key});
    if (!cursor.next()) {
        detail::throw_does_not_exist(model_info<T>(), key);
    }
    T object = from_row<T>(cursor.handle(), 0);
    cursor.close();
    detail::attach(*this, object);
    return object;
}

template <class T>
void Database::refresh(T& object) {
    const ModelInfo& info = model_info<T>();
    const detail::CrudSql& sql = detail::crud_sql<T>();
    Cursor cursor = query_unbound(sql.select);
    bind_field(object, info.primary_key, cursor.handle(), 1);
    if (!cursor.next()) {
        detail::throw_does_not_exist(info, field_value(object, info.primary_key));
    }
    // Read into a fresh object: the key parameter is bound to object's memory until the cursor closes.
    T fresh = from_row<T>(cursor.handle(), 0);
    cursor.close();
    detail::attach(*this, fresh);
    object = std::move(fresh);
}

template <class T, class... Lookup>
std::pair<T, bool> Database::get_or_create(T object, Lookup... lookup) {
    static_assert(sizeof...(Lookup) > 0, "covet: get_or_create(object, &T::field, ...) needs at least one lookup field");
    const std::array<std::size_t, sizeof...(Lookup)> columns{detail::lookup_index<T>(lookup)...};
    detail::prepare(object);
    apply_auto_now(object, true);
    detail::validate_object(object);
    return transaction(TransactionMode::Immediate, [&]() -> std::pair<T, bool> {
        if (std::optional<T> found = detail::find_by(*this, object, columns)) {
            return {std::move(*found), false};
        }
        detail::insert_row(*this, object);
        return {std::move(object), true};
    });
}

template <class T, class... Lookup>
std::pair<T, bool> Database::update_or_create(T object, Lookup... lookup) {
    static_assert(sizeof...(Lookup) > 0,
                  "covet: update_or_create(object, &T::field, ...) needs at least one lookup field");
    const std::array<std::size_t, sizeof...(Lookup)> columns{detail::lookup_index<T>(lookup)...};
    detail::prepare(object);
    const auto now = std::chrono::system_clock::now();
    apply_auto_now(object, true, now);
    detail::validate_object(object);
    return transaction(TransactionMode::Immediate, [&]() -> std::pair<T, bool> {
        if (std::optional<T> found = detail::find_by(*this, object, columns)) {
            const ModelInfo& info = model_info<T>();
            detail::copy_field(object, *found, info.primary_key);
            for (std::size_t i = 0; i < info.columns.size(); ++i) {
                if (info.columns[i].auto_now_add && !info.columns[i].auto_now) {
                    detail::copy_field(object, *found, i);
                }
            }
            detail::update_row(*this, object);
            return {std::move(object), false};
        }
        detail::insert_row(*this, object);
        return {std::move(object), true};
    });
}

}  // namespace covet
