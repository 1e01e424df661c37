#include "sqlite.hpp"

#include <fmt/format.h>

#include <utility>

namespace bench {

Connection::Connection(const std::filesystem::path& path) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        throw SqliteError(fmt::format("cannot open {}: {}", path.string(), message));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
    execute("PRAGMA journal_mode=WAL");
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::fail(std::string_view sql) const {
    throw SqliteError(fmt::format("{}\n  in: {}", sqlite3_errmsg(db_), sql));
}

void Connection::execute(std::string_view sql) {
    while (!sql.empty()) {
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail) != SQLITE_OK) fail(sql);
        std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
        if (stmt) {  // null for trailing whitespace or a comment
            Statement(*this, stmt).run();
        }
        sql = rest;
    }
}

Statement Connection::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
        SQLITE_OK)
        fail(sql);
    return Statement(*this, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_), stmt_(std::exchange(other.stmt_, nullptr)), running_(other.running_) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) connection_->fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    if (value) return bind(index, *value);
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) connection_->fail(sqlite3_sql(stmt_));
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) != SQLITE_OK)
        connection_->fail(sqlite3_sql(stmt_));
    return *this;
}

bool Statement::step() {
    if (!running_) {
        ++connection_->executed_;
        running_ = true;
    }
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    running_ = false;
    if (rc != SQLITE_DONE) connection_->fail(sqlite3_sql(stmt_));  // (the next step resets it)
    sqlite3_reset(stmt_);  // releases its read transaction now, not at the next step
    return false;
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() noexcept {
    running_ = false;
    sqlite3_reset(stmt_);
}

std::string_view Statement::text(int column) const noexcept {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return {data ? data : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

}  // namespace bench
