#include "sqlite.hpp"

#include <cmath>
#include <cstdio>

namespace covet::ext {

Error::Error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}

Value Value::from(sqlite3_value* v) {
    Value out;
    out.assign(v);
    return out;
}

void Value::assign(sqlite3_value* v) {
    type = sqlite3_value_type(v);
    bytes.clear();
    switch (type) {
    case SQLITE_INTEGER: integer = sqlite3_value_int64(v); break;
    case SQLITE_FLOAT: real = sqlite3_value_double(v); break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
        const void* data =
            type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(v)) : sqlite3_value_blob(v);
        if (data) bytes.assign(static_cast<const char*>(data), static_cast<std::size_t>(sqlite3_value_bytes(v)));
        break;
    }
    default: break;
    }
}

std::string Value::text() const {
    switch (type) {
    case SQLITE_INTEGER: return std::to_string(integer);
    case SQLITE_FLOAT: {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.17g", real);
        return buffer;
    }
    case SQLITE_TEXT: return bytes;
    case SQLITE_BLOB: return literal(*this);
    default: return "NULL";
    }
}

void Value::bind(sqlite3_stmt* stmt, int index) const {
    switch (type) {
    case SQLITE_INTEGER: sqlite3_bind_int64(stmt, index, integer); break;
    case SQLITE_FLOAT: sqlite3_bind_double(stmt, index, real); break;
    case SQLITE_TEXT:
        sqlite3_bind_text(stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        break;
    case SQLITE_BLOB:
        sqlite3_bind_blob(stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        break;
    default: sqlite3_bind_null(stmt, index); break;
    }
}

void Value::result(sqlite3_context* ctx) const {
    switch (type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, integer); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, real); break;
    case SQLITE_TEXT:
        sqlite3_result_text(ctx, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        break;
    case SQLITE_BLOB:
        sqlite3_result_blob(ctx, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        break;
    default: sqlite3_result_null(ctx); break;
    }
}

namespace {
[[noreturn]] void fail(sqlite3* db, int rc) {
    std::string message = sqlite3_errmsg(db);
    // Messages raised by covet's own triggers already carry the prefix.
    if (message.rfind("covet:", 0) != 0) message = "covet: " + message;
    throw Error(message, rc);
}
}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc);
}

Stmt& Stmt::bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

Stmt& Stmt::bind(int index, const Value& value) {
    value.bind(stmt_, index);
    return *this;
}

bool Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc = sqlite3_reset(stmt_);
    fail(db_, rc);
}

void Stmt::run() {
    while (step()) {
    }
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int column) const {
    const unsigned char* t = sqlite3_column_text(stmt_, column);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
}

std::optional<std::string> Stmt::optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

void exec(sqlite3* db, std::string_view sql) {
    std::string copy(sql);  // sqlite3_exec needs a terminated string
    int rc = sqlite3_exec(db, copy.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(db, rc);
}

std::optional<Value> query_value(sqlite3* db, std::string_view sql) {
    Stmt stmt(db, sql);
    if (!stmt.step()) return std::nullopt;
    return stmt.value(0);
}

Savepoint::Savepoint(sqlite3* db, std::string name) : db_(db), name_(quote_id(name)) {
    exec(db_, "SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
    if (!open_) return;
    // Roll back everything done since the savepoint, keep the caller's transaction.
    std::string sql = "ROLLBACK TO " + name_ + "; RELEASE " + name_;
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
}

void Savepoint::commit() {
    exec(db_, "RELEASE " + name_);
    open_ = false;
}

std::string quote_id(std::string_view identifier) {
    std::string out = "\"";
    for (char c : identifier) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string quote_text(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + '\'';
}

std::string literal(const Value& value) {
    switch (value.type) {
    case SQLITE_INTEGER: return std::to_string(value.integer);
    case SQLITE_FLOAT:
        if (std::isnan(value.real)) return "NULL";
        if (std::isinf(value.real)) return value.real > 0 ? "9e999" : "-9e999";
        return value.text();
    case SQLITE_TEXT: return quote_text(value.bytes);
    case SQLITE_BLOB: {
        static const char digits[] = "0123456789ABCDEF";
        std::string out = "X'";
        for (unsigned char c : value.bytes) {
            out += digits[c >> 4];
            out += digits[c & 15];
        }
        return out + '\'';
    }
    default: return "NULL";
    }
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += separator;
        out += parts[i];
    }
    return out;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else {
            out += c;
        }
    }
    return out + '"';
}

std::string keys_source(std::string_view p) {
    std::string param(p);
    return "json_each(CASE WHEN typeof(" + param + ") = 'text' AND json_valid(" + param + ") AND json_type(" +
           param + ") = 'array' THEN " + param + " ELSE json_array(" + param + ") END)";
}

void set_error_message(char** slot, const std::string& message) {
    if (!slot) return;
    sqlite3_free(*slot);
    *slot = sqlite3_mprintf("%s", message.c_str());
}

}  // namespace covet::ext
