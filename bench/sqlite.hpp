// A thin layer over the sqlite3 C API for the benchmark's own SQL (the raw side, the dataset
// generator): errors become exceptions, statements are prepared once and reused, and every
// statement execution is counted, which gives the raw side's statement count.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bench {

struct SqliteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Statement;

// One connection, opened with the settings covet::Database uses (NOMUTEX, extended result codes,
// a 5 s busy timeout, WAL), so that both sides of a workload run under the same conditions.
class Connection {
public:
    explicit Connection(const std::filesystem::path& path);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements to their end (setup code: schema, pragmas). Each one counts.
    void execute(std::string_view sql);
    // Prepares a statement to be reused (SQLITE_PREPARE_PERSISTENT).
    Statement prepare(std::string_view sql);
    // Statements started on this connection so far: a run's count is the difference.
    std::int64_t executed() const noexcept { return executed_; }
    sqlite3* handle() const noexcept { return db_; }

private:
    friend class Statement;
    [[noreturn]] void fail(std::string_view sql) const;
    sqlite3* db_ = nullptr;
    std::int64_t executed_ = 0;
};

// A prepared statement: bind, step through the rows, and again. An execution counts once, on its
// first step; it ends when step() returns false or on reset(). Bindings are kept between runs.
class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::optional<std::int64_t> value);  // nullopt: NULL
    // The text is not copied (SQLITE_STATIC): it must stay alive until the execution ends.
    Statement& bind(int index, std::string_view text);
    // Steps once: true when a row is available.
    bool step();
    // Steps to the end (a write, or a read whose rows do not matter).
    void run();
    // Abandons the current execution (the next step() starts a new one).
    void reset() noexcept;

    bool is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::int64_t int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }
    std::optional<std::int64_t> optional_int64(int column) const noexcept {
        if (is_null(column)) return std::nullopt;
        return int64(column);
    }
    double real(int column) const noexcept { return sqlite3_column_double(stmt_, column); }
    std::string_view text(int column) const noexcept;
    std::string string(int column) const { return std::string(text(column)); }

private:
    friend class Connection;
    Statement(Connection& connection, sqlite3_stmt* stmt) noexcept : connection_(&connection), stmt_(stmt) {}
    Connection* connection_;
    sqlite3_stmt* stmt_;
    bool running_ = false;
};

}  // namespace bench
