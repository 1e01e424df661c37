// Thin RAII helpers over the SQLite C API, shared by every covet source file.
//
// Each extension source includes this header instead of <sqlite3ext.h> directly, so that the
// `sqlite3_api` routing (loadable build) or direct calls (SQLITE_CORE, the static library) is
// decided in one place. Errors travel as covet::ext::Error exceptions inside the extension and
// are turned into SQLite error codes and messages at every xMethod boundary.
#pragma once

#include <sqlite3ext.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

SQLITE_EXTENSION_INIT3

namespace covet::ext {

// A failure with a message for the user; the text always starts with "covet: ".
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, int code = SQLITE_ERROR);
    int code() const noexcept { return code_; }

private:
    int code_;
};

// A dynamically typed SQL value, owned (copied out of SQLite).
struct Value {
    int type = SQLITE_NULL;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes;  // text or blob

    static Value from(sqlite3_value* v);
    void assign(sqlite3_value* v);  // copies v, reusing this value's storage
    bool is_null() const { return type == SQLITE_NULL; }
    std::string text() const;  // the value as SQLite would print it
    void bind(sqlite3_stmt* stmt, int index) const;
    void result(sqlite3_context* ctx) const;
};

// A prepared statement that finalizes itself.
class Stmt {
public:
    Stmt(sqlite3* db, std::string_view sql);
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
    ~Stmt() { sqlite3_finalize(stmt_); }

    Stmt& bind(int index, std::string_view text);
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, const Value& value);
    bool step();  // true while a row is available; throws on error
    void run();   // step to completion
    void reset();

    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    Value value(int column) const { return Value::from(sqlite3_column_value(stmt_, column)); }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    sqlite3_stmt* get() const { return stmt_; }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, std::string_view sql);

// The first column of the first row of a query, or nullopt when there is no row.
std::optional<Value> query_value(sqlite3* db, std::string_view sql);

// "SAVEPOINT name" on construction; RELEASE by commit(), ROLLBACK TO + RELEASE otherwise.
// Every multi-step change covet makes runs inside one of these.
class Savepoint {
public:
    Savepoint(sqlite3* db, std::string name);
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    ~Savepoint();
    void commit();

private:
    sqlite3* db_;
    std::string name_;
    bool open_ = true;
};

// SQL spelling.
std::string quote_id(std::string_view identifier);  // "identifier" with embedded quotes doubled
std::string quote_text(std::string_view text);      // 'text' with embedded quotes doubled
std::string literal(const Value& value);            // any value as an SQL literal

std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string json_string(std::string_view text);  // "text" with JSON escapes

// A FROM-able source of the keys passed as parameter `param` (e.g. "?1"): one key, or every
// element of a JSON array (a text that is a valid JSON array); column `value`.
std::string keys_source(std::string_view param);

// Stores message in *slot the way SQLite expects (sqlite3_malloc'ed, old message freed).
void set_error_message(char** slot, const std::string& message);

// Runs body at a C boundary (xMethod, callback): exceptions become an SQLite error code and a
// message in *error_message. body returns an SQLite result code.
template <class Body>
int guarded(char** error_message, Body&& body) noexcept {
    try {
        return body();
    } catch (const Error& e) {
        set_error_message(error_message, e.what());
        return e.code();
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (const std::exception& e) {
        set_error_message(error_message, std::string("covet: internal error: ") + e.what());
        return SQLITE_ERROR;
    }
}

// The same for SQL functions: the error becomes the function's result.
template <class Body>
void guarded(sqlite3_context* ctx, Body&& body) noexcept {
    char* message = nullptr;
    int rc = guarded(&message, [&] { body(); return SQLITE_OK; });
    if (rc == SQLITE_NOMEM) {
        sqlite3_result_error_nomem(ctx);
    } else if (rc != SQLITE_OK) {
        sqlite3_result_error(ctx, message, -1);
        sqlite3_result_error_code(ctx, rc);
    }
    sqlite3_free(message);
}

}  // namespace covet::ext
