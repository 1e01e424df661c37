#include <covet/database.hpp>
#include <covet/extension.h>

#include <fmt/core.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <sstream>
#include <unordered_map>
#include <variant>

namespace covet {

namespace detail {

struct StatementSlot {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
    std::uint64_t last_used = 0;
};

}  // namespace detail

struct Database::Cache {
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, detail::StatementSlot, Hash, std::equal_to<>> map;
    std::uint64_t tick = 0;

    // Finalizes the least recently used statement not in use, if any.
    void evict() {
        auto oldest = map.end();
        for (auto it = map.begin(); it != map.end(); ++it)
            if (!it->second.in_use && (oldest == map.end() || it->second.last_used < oldest->second.last_used))
                oldest = it;
        if (oldest == map.end()) return;
        sqlite3_finalize(oldest->second.stmt);
        map.erase(oldest);
    }
};

namespace {

bool blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

struct Binder {
    sqlite3_stmt* stmt;
    int index;
    sqlite3_destructor_type destructor;

    int operator()(std::nullptr_t) const { return sqlite3_bind_null(stmt, index); }
    int operator()(std::int64_t v) const { return sqlite3_bind_int64(stmt, index, v); }
    int operator()(double v) const { return sqlite3_bind_double(stmt, index, v); }
    int operator()(const std::string& v) const {
        return sqlite3_bind_text64(stmt, index, v.data(), v.size(), destructor, SQLITE_UTF8);
    }
    int operator()(const Blob& v) const {
        // A null pointer would bind NULL: an empty blob is a zero-length blob.
        if (v.empty()) return sqlite3_bind_zeroblob(stmt, index, 0);
        return sqlite3_bind_blob64(stmt, index, v.data(), v.size(), destructor);
    }
};

void bind(sqlite3_stmt* stmt, std::span<const Value> params, bool copy) {
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
        std::string sql = sqlite3_sql(stmt);
        throw UsageError(fmt::format("covet: the statement takes {} parameter(s) but {} value(s) were given, in: {}",
                                     expected, params.size(), sql),
                         {.sql = sql});
    }
    for (std::size_t i = 0; i < params.size(); ++i) detail::bind_value(stmt, static_cast<int>(i + 1), params[i], copy);
}

}  // namespace

void detail::bind_value(sqlite3_stmt* stmt, int index, const Value& value, bool copy) {
    const int rc = std::visit(Binder{stmt, index, copy ? SQLITE_TRANSIENT : SQLITE_STATIC}, value);
    if (rc != SQLITE_OK) {
        sqlite3* db = sqlite3_db_handle(stmt);
        throw_sqlite_error(sqlite3_extended_errcode(db), sqlite3_errmsg(db), sqlite3_sql(stmt));
    }
}

// ---------------------------------------------------------------------------------------------- Row

Value Row::value(int column) const {
    if (column < 0 || column >= size()) {
        std::string sql = sqlite3_sql(stmt_);
        throw UsageError(fmt::format("covet: no column {} in a row of {} column(s), in: {}", column, size(), sql),
                         {.sql = sql});
    }
    switch (sqlite3_column_type(stmt_, column)) {
        case SQLITE_INTEGER: return Value{static_cast<std::int64_t>(sqlite3_column_int64(stmt_, column))};
        case SQLITE_FLOAT: return Value{sqlite3_column_double(stmt_, column)};
        case SQLITE_TEXT: return Value{std::string(text(column))};
        case SQLITE_BLOB: {
            std::span<const std::byte> bytes = blob(column);
            return Value{Blob(bytes.begin(), bytes.end())};
        }
        default: return Value{nullptr};
    }
}

std::string_view Row::name(int column) const noexcept {
    const char* name = sqlite3_column_name(stmt_, column);
    return name ? std::string_view(name) : std::string_view();
}

std::string_view Row::text(int column) const noexcept {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    if (!text) return {};
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::span<const std::byte> Row::blob(int column) const noexcept {
    const void* data = sqlite3_column_blob(stmt_, column);
    if (!data) return {};
    return {static_cast<const std::byte*>(data), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

// ------------------------------------------------------------------------------------------- Cursor

Cursor::Cursor(Database& db, sqlite3_stmt* stmt, Slot* slot) noexcept
    : db_(&db), stmt_(stmt), slot_(slot), row_(stmt) {}

Cursor::Cursor(Cursor&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      slot_(std::exchange(other.slot_, nullptr)),
      row_(stmt_),
      has_row_(std::exchange(other.has_row_, false)),
      started_(other.started_),
      counted_(std::exchange(other.counted_, false)),
      total_changes_(other.total_changes_),
      changes_(other.changes_),
      elapsed_(other.elapsed_) {}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
    if (this != &other) {
        try {
            release();
        } catch (...) {  // the hook threw: nowhere to report it from here
        }
        db_ = other.db_;
        stmt_ = std::exchange(other.stmt_, nullptr);
        slot_ = std::exchange(other.slot_, nullptr);
        row_ = Row(stmt_);
        has_row_ = std::exchange(other.has_row_, false);
        started_ = other.started_;
        counted_ = std::exchange(other.counted_, false);
        total_changes_ = other.total_changes_;
        changes_ = other.changes_;
        elapsed_ = other.elapsed_;
    }
    return *this;
}

Cursor::~Cursor() {
    try {
        release();
    } catch (...) {  // the hook threw
    }
}

void Cursor::release() {
    sqlite3_stmt* stmt = std::exchange(stmt_, nullptr);
    Slot* slot = std::exchange(slot_, nullptr);
    has_row_ = false;
    row_ = Row(nullptr);
    if (!stmt) return;
    sqlite3_reset(stmt);  // returns the statement's last error again: already reported
    sqlite3_clear_bindings(stmt);
    struct Return {  // back to the cache (or finalized) even if the hook throws
        sqlite3_stmt* stmt;
        Slot* slot;
        ~Return() {
            if (slot)
                slot->in_use = false;
            else
                sqlite3_finalize(stmt);
        }
    } give_back{stmt, slot};
    if (std::exchange(counted_, false) && db_->hook_) db_->hook_(sqlite3_sql(stmt), elapsed_);
}

bool Cursor::next() {
    if (!stmt_) return false;
    db_->check_thread();
    sqlite3* db = db_->db_;
    if (!started_) {
        started_ = true;
        total_changes_ = sqlite3_total_changes64(db);
    }
    // The time spent stepping is only for the on_query hook: without one, no clock is read (two
    // clock reads per row were a measurable share of iterating a large query).
    int rc = 0;
    if (db_->hook_) {
        auto start = std::chrono::steady_clock::now();
        rc = sqlite3_step(stmt_);
        elapsed_ += std::chrono::steady_clock::now() - start;
    } else {
        rc = sqlite3_step(stmt_);
    }
    if (rc == SQLITE_ROW) {
        has_row_ = true;
        return true;
    }
    has_row_ = false;
    if (rc == SQLITE_DONE) {
        // sqlite3_changes64() keeps the count of the last INSERT/UPDATE/DELETE: only trust it if
        // this statement changed something.
        changes_ = sqlite3_total_changes64(db) != total_changes_ ? sqlite3_changes64(db) : 0;
        release();
        return false;
    }
    fail();
}

void Cursor::fail() {
    sqlite3* db = db_->db_;
    const int code = sqlite3_extended_errcode(db);
    const std::string message = sqlite3_errmsg(db);
    const std::string sql = sqlite3_sql(stmt_);
    release();
    throw_sqlite_error(code, message, sql);
}

const Row& Cursor::row() const {
    if (!has_row_) throw UsageError("covet: Cursor::row() without a current row (call next() first; it returned false?)");
    return row_;
}

void Cursor::close() { release(); }

Cursor::iterator Cursor::begin() {
    if (!started_ && !next()) return iterator{};
    return has_row_ ? iterator{this} : iterator{};
}

// ----------------------------------------------------------------------------------------- Database

Database::Database(const std::string& path, DatabaseOptions options)
    : path_(path),
      options_(options),
      owner_(std::this_thread::get_id()),
      cache_(std::make_unique<Cache>()),
      self_(std::make_shared<Database* const>(this)) {
    int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    try {
        if (rc != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
            int code = db_ ? sqlite3_extended_errcode(db_) : rc;
            throw Error(fmt::format("covet: cannot open the database {}: {} [{}]", path, message, sqlite_code_name(code)),
                        {.sqlite_message = message, .sqlite_code = code});
        }
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
        rc = covet_register_extension(db_);
        if (rc != SQLITE_OK) {
            std::string message = sqlite3_errmsg(db_);
            throw Error(fmt::format("covet: cannot register the covet extension on {}: {} [{}]", path, message,
                                    sqlite_code_name(rc)),
                        {.sqlite_message = message, .sqlite_code = rc});
        }
        if (options.wal && !options.read_only) {
            // A memory or temporary database keeps its journal mode ("memory"): not an error.
            const char* pragma = "PRAGMA journal_mode=WAL";
            if (sqlite3_exec(db_, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) throw_error(pragma);
        }
    } catch (...) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw;
    }
}

Database::~Database() {
    self_.reset();  // relation fields that kept a DatabaseRef now see it gone
    for (auto& [sql, slot] : cache_->map) sqlite3_finalize(slot.stmt);
    covet_resolver_close(resolver_);
    sqlite3_close_v2(db_);
}

DatabaseRef Database::ref() const noexcept { return DatabaseRef(self_); }

std::string Database::related_pairs_sql(const std::string& relation) {
    check_thread();
    if (!resolver_) {
        const int rc = covet_resolver_open(db_, &resolver_);
        if (rc != SQLITE_OK) throw_sqlite_error(rc, sqlite3_errstr(rc), "covet_resolver_open()");
    }
    char* sql = nullptr;
    char* message = nullptr;
    const int rc = covet_resolver_related_sql(resolver_, relation.c_str(), 1, &sql, &message);
    const std::string text = sql ? sql : "", why = message ? message : sqlite3_errstr(rc);
    sqlite3_free(sql);
    sqlite3_free(message);
    if (rc != SQLITE_OK) throw_sqlite_error(rc, why, fmt::format("SELECT covet_related_sql('{}')", relation));
    return text;
}

void Database::guard_lazy_loads(std::size_t limit, LazyLoadAction action) {
    lazy_limit_ = limit;
    lazy_action_ = action;
    lazy_counts_.clear();
}

std::function<void(std::string_view)> Database::on_warning(std::function<void(std::string_view)> hook) {
    return std::exchange(warning_hook_, std::move(hook));
}

void Database::note_lazy_load(std::uint64_t origin, const std::string& relation, const std::string& suggestion) {
    if (lazy_limit_ == 0 || origin == 0) return;
    if (origin != lazy_origin_) {
        lazy_origin_ = origin;
        lazy_counts_.clear();
    }
    auto it = std::find_if(lazy_counts_.begin(), lazy_counts_.end(), [&](const auto& e) { return e.first == relation; });
    if (it == lazy_counts_.end()) it = lazy_counts_.insert(lazy_counts_.end(), {relation, 0});
    if (++it->second != lazy_limit_ + 1) return;  // once per evaluation and relation
    const std::string message = fmt::format(
        "covet: N+1 queries: {} was loaded lazily {} times for the objects of one query (limit {}); load it with "
        "the query: {}",
        relation, it->second, lazy_limit_, suggestion);
    if (lazy_action_ == LazyLoadAction::Raise) throw UsageError(message);
    if (warning_hook_) {
        warning_hook_(message);
    } else {
        std::fprintf(stderr, "%s\n", message.c_str());
    }
}

void Database::throw_wrong_thread() const {
    std::ostringstream message;
    message << "covet: the Database " << path_ << " was opened on thread " << owner_ << " and used on thread "
            << std::this_thread::get_id() << "; use one Database per thread";
    throw UsageError(message.str());
}

void Database::throw_error(std::string_view sql) const {
    throw_sqlite_error(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_), sql);
}

sqlite3_stmt* Database::prepare(std::string_view sql, bool persistent) {
    if (sql.size() >= static_cast<std::size_t>(INT_MAX))
        throw UsageError("covet: SQL text too long (" + std::to_string(sql.size()) + " bytes)");
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
    ++prepare_count_;
    if (rc != SQLITE_OK) throw_error(sql);
    if (!stmt) throw UsageError(fmt::format("covet: no SQL statement in: '{}'", sql), {.sql = std::string(sql)});
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (!blank(rest)) {  // comments only, or a second statement?
        sqlite3_stmt* second = nullptr;
        rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &second, nullptr);
        sqlite3_finalize(second);
        if (rc != SQLITE_OK || second) {
            sqlite3_finalize(stmt);
            throw UsageError(
                fmt::format("covet: execute() and query() run one SQL statement (execute_script() runs several), in: {}",
                            sql),
                {.sql = std::string(sql)});
        }
    }
    return stmt;
}

void Database::started(sqlite3_stmt* stmt) {
    ++query_count_;
    if (captured_) captured_->emplace_back(sqlite3_sql(stmt));
}

Cursor Database::open(std::string_view sql, std::span<const Value> params, bool copy_params) {
    Cursor cursor = open(sql);
    bind(cursor.stmt_, params, copy_params);
    return cursor;
}

Cursor Database::open(std::string_view sql) {
    check_thread();
    Cache& cache = *cache_;
    detail::StatementSlot* slot = nullptr;
    sqlite3_stmt* stmt = nullptr;
    auto it = cache.map.find(sql);
    if (it != cache.map.end() && !it->second.in_use) {
        slot = &it->second;
        stmt = slot->stmt;
    } else {
        // Not cached yet, or running already (then this one is prepared for this use only).
        bool keep = it == cache.map.end() && options_.statement_cache_capacity > 0;
        stmt = prepare(sql, keep);
        if (keep) {
            if (cache.map.size() >= options_.statement_cache_capacity) cache.evict();
            slot = &cache.map.emplace(std::string(sql), detail::StatementSlot{stmt}).first->second;
        }
    }
    if (slot) {
        slot->in_use = true;
        slot->last_used = ++cache.tick;
    }
    Cursor cursor{*this, stmt, slot};
    started(stmt);
    cursor.counted_ = true;
    return cursor;
}

std::int64_t Database::execute(std::string_view sql, std::span<const Value> params) {
    Cursor cursor = open(sql, params, false);
    while (cursor.next()) {
    }
    return cursor.changes_;
}

void Database::execute_script(std::string_view sql) {
    check_thread();
    std::string_view rest = sql;
    while (!blank(rest)) {
        if (rest.size() >= static_cast<std::size_t>(INT_MAX)) throw UsageError("covet: SQL script too long");
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &stmt, &tail);
        ++prepare_count_;
        if (rc != SQLITE_OK) throw_error(rest);
        if (!stmt) break;  // only comments left
        rest.remove_prefix(static_cast<std::size_t>(tail - rest.data()));
        Cursor cursor{*this, stmt, nullptr};
        started(stmt);
        cursor.counted_ = true;
        while (cursor.next()) {
        }
    }
}

Cursor Database::query(std::string_view sql, std::span<const Value> params) { return open(sql, params, true); }

Cursor Database::query_unbound(std::string_view sql) { return open(sql); }

void Database::execute_each(std::string_view sql, std::size_t count,
                            const std::function<void(sqlite3_stmt*, std::size_t)>& bind_run,
                            const std::function<void(std::size_t)>& ran) {
    if (count == 0) return;
    Cursor cursor = open(sql);  // checked out once, started: the first run
    sqlite3_stmt* stmt = cursor.stmt_;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) {
            if (hook_) hook_(sqlite3_sql(stmt), std::exchange(cursor.elapsed_, {}));  // run i - 1 finished
            started(stmt);
        }
        bind_run(stmt, i);
        const auto start = hook_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
        int rc = sqlite3_step(stmt);
        while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
        if (hook_) cursor.elapsed_ += std::chrono::steady_clock::now() - start;
        if (rc != SQLITE_DONE) cursor.fail();
        sqlite3_reset(stmt);
        if (ran) ran(i);
    }
}  // the cursor gives the statement back and reports the last run

std::int64_t Database::query(std::string_view sql, std::span<const Value> params,
                             const std::function<void(const Row&)>& each) {
    Cursor cursor = open(sql, params, false);
    std::int64_t rows = 0;
    while (cursor.next()) {
        each(cursor.row());
        ++rows;
    }
    return rows;
}

Value Database::query_value(std::string_view sql, std::span<const Value> params) {
    Cursor cursor = open(sql, params, false);
    if (!cursor.next()) return Value{nullptr};
    Value value = cursor.row().value(0);
    cursor.close();
    return value;
}

std::int64_t Database::last_insert_rowid() const {
    check_thread();
    return sqlite3_last_insert_rowid(db_);
}

bool Database::in_transaction() const {
    check_thread();
    return sqlite3_get_autocommit(db_) == 0;
}

Database::QueryHook Database::on_query(QueryHook hook) {
    check_thread();
    return std::exchange(hook_, std::move(hook));
}

std::size_t Database::statement_cache_size() const noexcept { return cache_->map.size(); }

void Database::clear_statement_cache() {
    check_thread();
    std::erase_if(cache_->map, [](auto& entry) {
        if (entry.second.in_use) return false;
        sqlite3_finalize(entry.second.stmt);
        return true;
    });
}

void assert_num_queries(Database& db, std::int64_t expected, const std::function<void()>& body) {
    db.check_thread();
    std::vector<std::string> run;
    struct Restore {  // hands the statements on to an enclosing assert_num_queries
        Database& db;
        std::vector<std::string>* outer;
        std::vector<std::string>& run;
        ~Restore() {
            db.captured_ = outer;
            if (outer) outer->insert(outer->end(), run.begin(), run.end());
        }
    } restore{db, std::exchange(db.captured_, &run), run};
    std::int64_t before = db.query_count_;
    body();
    std::int64_t ran = db.query_count_ - before;
    if (ran == expected) return;
    std::string message = fmt::format("covet: expected {} quer{}, {} {} run:", expected, expected == 1 ? "y" : "ies",
                                      ran, ran == 1 ? "was" : "were");
    for (std::size_t i = 0; i < run.size(); ++i) message += fmt::format("\n  {}. {}", i + 1, run[i]);
    throw Error(message);
}

// -------------------------------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
    db.check_thread();
    depth_ = db.transaction_depth_ + 1;
    // A plain BEGIN already open (not a covet guard): nest in it as a savepoint too.
    savepoint_ = db.transaction_depth_ > 0 || sqlite3_get_autocommit(db.db_) == 0;
    if (savepoint_)
        db.execute(fmt::format("SAVEPOINT covet_{}", depth_));
    else
        db.execute(mode == TransactionMode::Immediate   ? "BEGIN IMMEDIATE"
                   : mode == TransactionMode::Exclusive ? "BEGIN EXCLUSIVE"
                                                        : "BEGIN");
    db.transaction_depth_ = depth_;
}

Transaction::~Transaction() {
    if (!active_) return;
    try {
        finish(false);
    } catch (...) {  // a destructor must not throw; the connection stays usable
    }
}

void Transaction::commit() { finish(true); }
void Transaction::rollback() { finish(false); }

void Transaction::finish(bool commit) {
    db_.check_thread();
    if (!active_) throw UsageError("covet: this transaction has already been committed or rolled back");
    if (db_.transaction_depth_ != depth_)
        throw UsageError(fmt::format("covet: transaction {} finished while transaction {} inside it is still open; "
                                     "finish the innermost one first",
                                     depth_, db_.transaction_depth_));
    if (commit) {
        // On failure (SQLITE_BUSY, ...) the guard stays open: its destructor rolls back.
        db_.execute(savepoint_ ? fmt::format("RELEASE covet_{}", depth_) : std::string("COMMIT"));
        active_ = false;
        db_.transaction_depth_ = depth_ - 1;
        return;
    }
    active_ = false;
    db_.transaction_depth_ = depth_ - 1;
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) end the whole transaction: nothing left to undo.
    if (sqlite3_get_autocommit(db_.db_)) return;
    if (savepoint_) {
        db_.execute(fmt::format("ROLLBACK TO covet_{}", depth_));
        db_.execute(fmt::format("RELEASE covet_{}", depth_));
    } else {
        db_.execute("ROLLBACK");
    }
}

}  // namespace covet
