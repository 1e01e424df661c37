// covet::Database: one SQLite connection with covet registered, a prepared-statement cache, the
// execution API everything else is built on, transactions and query observability.
//
//   covet::Database db{"library.db"};                 // or ":memory:"
//   db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
//   db.execute("INSERT INTO t(name) VALUES (?)", {covet::Value{"Ann"}});
//   std::int64_t id = db.last_insert_rowid();
//   for (const covet::Row& row : db.query("SELECT id, name FROM t WHERE id > ?", {covet::Value{0}}))
//       use(row.int64(0), row.text(1));            // or row[1] -> covet::Value
//   db.transaction([&] { db.execute(...); });         // commits, or rolls back on an exception
//
// Opening: covet_register_extension(), PRAGMA journal_mode=WAL (file databases), a busy timeout
// (5 s by default), extended result codes. Errors become covet exceptions (error.hpp).
//
// Threads: ONE DATABASE PER THREAD. A Database records the thread that constructed it; using it
// (execute, query, transactions, stepping a cursor) from another thread throws covet::UsageError
// instead of racing. The connection is opened SQLITE_OPEN_NOMUTEX: that check is what makes it safe.
//
// Lifetime: a Database is neither copyable nor movable (cursors, transactions and model code hold
// references to it); hold it in a std::unique_ptr to hand it around. Cursors must not outlive it.
//
// Statements: prepared once per distinct SQL text and cached (SQLITE_PREPARE_PERSISTENT; least
// recently used evicted beyond DatabaseOptions::statement_cache_capacity), then reset and unbound
// after each use. A statement whose SQL is already running (a query issued while iterating the
// same query) is prepared afresh and finalized after use. Parameters are positional (?).
//
// Observability: every statement covet runs (including BEGIN/SAVEPOINT/COMMIT of transactions)
// counts once in query_count() when it starts, and is reported to the on_query() hook when it
// finishes (ran to the end, failed, or its cursor was closed/destroyed) with the time spent
// stepping it (the steps taken while a hook is installed: without one, no clock is read).
// Statements that fail to prepare are neither counted nor reported.
#pragma once

#include <covet/database_ref.hpp>
#include <covet/error.hpp>
#include <covet/transaction.hpp>
#include <covet/value.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

struct covet_resolver;  // covet/extension.h

namespace covet {

class Database;
template <class T>
class QuerySet;
template <class T>
class RelatedManager;
struct DeleteResult;
namespace detail {
struct StatementSlot;  // a statement cache entry (database.cpp)
// Binds value to parameter `index`: copied by SQLite when `copy`, else it must outlive the run.
// An SQLite error is the mapped covet exception.
void bind_value(sqlite3_stmt* stmt, int index, const Value& value, bool copy = false);
}

// What the N+1 guard does when a relation is loaded lazily too often (Database::guard_lazy_loads).
enum class LazyLoadAction { Warn, Raise };

struct DatabaseOptions {
    std::chrono::milliseconds busy_timeout{5000};  // sqlite3_busy_timeout
    bool wal = true;                                // PRAGMA journal_mode=WAL (ignored for :memory:)
    bool read_only = false;                         // SQLITE_OPEN_READONLY
    bool create = true;                             // SQLITE_OPEN_CREATE (when not read_only)
    std::size_t statement_cache_capacity = 256;     // 0: no caching
};

// The current row of a Cursor: a view over its statement, valid until the cursor steps again.
// value()/operator[] check the index and convert to covet::Value; the typed accessors are the
// sqlite3_column_* calls, unchecked (an index out of range reads as NULL / 0).
class Row {
public:
    int size() const noexcept { return sqlite3_column_count(stmt_); }
    Value value(int column) const;  // UsageError if column is out of range
    Value operator[](int column) const { return value(column); }
    std::string_view name(int column) const noexcept;  // the column's name in the result
    int type(int column) const noexcept { return sqlite3_column_type(stmt_, column); }  // SQLITE_INTEGER, ...
    bool is_null(int column) const noexcept { return type(column) == SQLITE_NULL; }
    std::int64_t int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const noexcept { return sqlite3_column_double(stmt_, column); }
    std::string_view text(int column) const noexcept;       // valid until the next step
    std::span<const std::byte> blob(int column) const noexcept;  // valid until the next step
    // The statement, for per-model code reading columns itself (do not step, reset or finalize it).
    sqlite3_stmt* handle() const noexcept { return stmt_; }

private:
    friend class Cursor;
    explicit Row(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
    sqlite3_stmt* stmt_ = nullptr;
};

// A running statement, streaming its rows: nothing is materialized. Owns a statement checked out
// of the cache; returns it (reset, bindings cleared) when the last row has been read, when
// close() is called, or when destroyed. Move-only; must not outlive its Database.
//
//   covet::Cursor c = db.query("SELECT ...", params);
//   while (c.next()) use(c.row());
//   for (const covet::Row& row : db.query("SELECT ...")) use(row);  // the same
class Cursor {
public:
    Cursor(Cursor&& other) noexcept;
    Cursor& operator=(Cursor&& other) noexcept;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    ~Cursor();

    // Steps to the next row: true if there is one (row()), false when done (the statement is
    // released; next() keeps returning false). Errors throw the mapped covet exception.
    bool next();
    // The current row; UsageError if next() has not returned true.
    const Row& row() const;
    bool done() const noexcept { return stmt_ == nullptr; }
    // Releases the statement now (rows not read are not computed). Reports it to the on_query hook.
    void close();
    // The statement while the cursor is open, nullptr once done.
    sqlite3_stmt* handle() const noexcept { return stmt_; }

    // Input iteration over the remaining rows; begin() steps to the first row if next() has not
    // been called yet.
    class iterator {
    public:
        using value_type = Row;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;
        iterator() = default;
        const Row& operator*() const { return cursor_->row(); }
        const Row* operator->() const { return &cursor_->row(); }
        iterator& operator++() {
            if (!cursor_->next()) cursor_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.cursor_ == nullptr; }

    private:
        friend class Cursor;
        explicit iterator(Cursor* cursor) noexcept : cursor_(cursor) {}
        Cursor* cursor_ = nullptr;
    };
    iterator begin();
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    friend class Database;
    using Slot = detail::StatementSlot;  // nullptr: an uncached statement, finalized on release
    Cursor(Database& db, sqlite3_stmt* stmt, Slot* slot) noexcept;
    void release();  // returns the statement; calls the hook (which may throw)
    // After a step failed: returns the statement, then throws the mapped covet exception.
    [[noreturn]] void fail();

    Database* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    Slot* slot_ = nullptr;
    Row row_{nullptr};
    bool has_row_ = false;
    bool started_ = false;  // next() has been called
    bool counted_ = false;  // counted in query_count(): reported to the hook on release
    std::int64_t total_changes_ = 0;  // sqlite3_total_changes64() before the first step
    std::int64_t changes_ = 0;  // sqlite3_changes64() when it ran to the end (write statements)
    std::chrono::nanoseconds elapsed_{0};
};

class Database {
public:
    using QueryHook = std::function<void(std::string_view sql, std::chrono::nanoseconds duration)>;

    explicit Database(const std::string& path, DatabaseOptions options = {});
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database(Database&&) = delete;
    Database& operator=(Database&&) = delete;
    ~Database();

    // Runs one statement to the end (result rows are discarded); returns the rows changed by an
    // INSERT, UPDATE or DELETE (sqlite3_changes64), 0 for statements that only read. Several
    // statements in sql: UsageError (see execute_script). params.size() must match the ?s.
    std::int64_t execute(std::string_view sql, std::span<const Value> params = {});
    std::int64_t execute(std::string_view sql, std::initializer_list<Value> params) {
        return execute(sql, std::span<const Value>(params.begin(), params.size()));
    }
    // Runs every statement of sql in turn (a schema script); no parameters, not cached; each
    // statement counts as one query.
    void execute_script(std::string_view sql);

    // Starts a query; rows are read as the cursor steps. Parameters are copied into the statement.
    Cursor query(std::string_view sql, std::span<const Value> params = {});
    Cursor query(std::string_view sql, std::initializer_list<Value> params) {
        return query(sql, std::span<const Value>(params.begin(), params.size()));
    }
    // Starts a query whose parameters the caller binds on cursor.handle() (sqlite3_bind_*), all
    // NULL until then: for per-model code that binds an object's fields in place.
    Cursor query_unbound(std::string_view sql);
    // Runs the write statement `sql` `count` times, bind_run(statement, i) binding run i in place
    // (the bindings of run i - 1 stay until replaced) and ran(i), when given, called once run i is
    // done (sqlite3_last_insert_rowid() is its row's): bulk code's loop. Each run counts as a query
    // and reaches the hook, as execute() would, without a cache lookup and a cursor per run. The
    // first error stops it (the mapped covet exception); the caller's transaction decides the rest.
    void execute_each(std::string_view sql, std::size_t count,
                      const std::function<void(sqlite3_stmt*, std::size_t)>& bind_run,
                      const std::function<void(std::size_t)>& ran = {});
    // Runs a query, calling each(row) for every row; returns the number of rows.
    std::int64_t query(std::string_view sql, std::span<const Value> params, const std::function<void(const Row&)>& each);
    // The first column of the first row; NULL when there is no row.
    Value query_value(std::string_view sql, std::span<const Value> params = {});
    Value query_value(std::string_view sql, std::initializer_list<Value> params) {
        return query_value(sql, std::span<const Value>(params.begin(), params.size()));
    }

    std::int64_t last_insert_rowid() const;
    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }
    bool in_transaction() const;  // a transaction is open (covet's or a plain BEGIN)

    // Runs body() in a transaction (a savepoint when one is open): commits when it returns,
    // rolls back and rethrows when it throws. Returns body's value.
    template <class F>
    std::invoke_result_t<F&> transaction(F&& body) {
        return transaction(TransactionMode::Deferred, std::forward<F>(body));
    }
    template <class F>
    std::invoke_result_t<F&> transaction(TransactionMode mode, F&& body);

    // Statements started since the Database was opened.
    std::int64_t query_count() const noexcept { return query_count_; }
    // Replaces the hook called after every statement (see above); returns the previous one.
    // An empty function removes it. The hook may run statements on this Database.
    QueryHook on_query(QueryHook hook);

    // ---- Relations -------------------------------------------------------------------------------
    // The N+1 guard: when one relation (Book.author) is loaded lazily more than `limit` times for
    // the objects of one query evaluation, warn (the on_warning hook; stderr by default) or throw
    // covet::UsageError, naming the relation and suggesting select_related / prefetch_related.
    // limit 0 turns it off (the default).
    void guard_lazy_loads(std::size_t limit, LazyLoadAction action = LazyLoadAction::Warn);
    // Replaces the hook that receives covet's warnings; returns the previous one. Empty: stderr.
    std::function<void(std::string_view)> on_warning(std::function<void(std::string_view)> hook);
    // A handle relation fields keep to load from this Database; it knows when it is destroyed.
    DatabaseRef ref() const noexcept;
    // Internal (relation fields): a new query evaluation's number, and one lazy load by the
    // objects of one (origin 0: objects not read by a query set; not counted).
    std::uint64_t next_origin() noexcept { return ++origins_; }
    // Whether the guard is on (note_lazy_load does anything): callers skip building its messages.
    bool guards_lazy_loads() const noexcept { return lazy_limit_ != 0; }
    void note_lazy_load(std::uint64_t origin, const std::string& relation, const std::string& suggestion);
    // Internal (prefetch_related): the SELECT of a relation's related() pairs with the keys in ?1,
    // as the extension resolves the name (covet_related_sql()); not a query of its own.
    std::string related_pairs_sql(const std::string& relation);

    // The statement cache, for tests and tuning.
    std::size_t statement_cache_size() const noexcept;
    std::int64_t prepare_count() const noexcept { return prepare_count_; }  // sqlite3_prepare calls so far
    void clear_statement_cache();  // finalizes the cached statements not in use

    // UsageError unless called on the thread that opened this Database. Every entry point calls
    // it; code built on handle() can call it too.
    void check_thread() const {
        if (std::this_thread::get_id() != owner_) throw_wrong_thread();
    }

    // ---- Models --------------------------------------------------------------------------------
    // Declared here so that they read as db.migrate<Author, Book>(), db.objects<Author>(), ...;
    // defined in the headers that <covet/covet.hpp> includes: include that one to use them.

    // Schema (schema.hpp): create what is missing, idempotent; refuse anything destructive.
    template <class... Ts>
    void migrate();
    // The differences between the structs and the database, changing nothing; empty when none.
    template <class... Ts>
    std::vector<std::string> check();
    // The DDL that migrate() would run on an empty database.
    template <class... Ts>
    std::string schema_sql();

    // Queries (queryset.hpp).
    template <class T>
    QuerySet<T> objects();

    // Create, read, update, delete (crud.hpp).
    // Every write validates the object first (covet::ValidationError, before any SQL runs) and
    // binds every value as a parameter; constraint failures throw covet::IntegrityError naming the
    // model (and the field when SQLite names a column). The primary key is "unset" when it is an
    // integer 0 or an empty std::optional: the database assigns it then.
    //
    // INSERTs the object (auto_now / auto_now_add set first); returns it with its primary key.
    template <class T>
    T create(T object);
    // INSERTs every object in one transaction through one cached statement; all are validated
    // before the first INSERT, and a failing row rolls every row back. Returns them with their keys.
    template <class T>
    std::vector<T> bulk_create(std::vector<T> objects);
    // INSERTs when the primary key is unset (and sets it), else UPDATEs every other column (an
    // INSERT with that key when no row has it, as Django). auto_now / auto_now_add applied.
    template <class T>
    void save(T& object);
    // Django's delete(): SELECT covet_delete(table, key), so relations CASCADE, SET_NULL, PROTECT
    // (covet::ProtectedError), RESTRICT (covet::RestrictedError) as Django's do. Per-table counts.
    template <class T>
    DeleteResult remove(const T& object);
    // The row with this primary key; covet::DoesNotExist naming the model and the key otherwise.
    template <class T>
    T get(const Value& key);
    // Looks the object up by the lookup fields (member pointers, &Author::email, or C++ field
    // names, "email"), compared to the object's values; returns {found, false}, or creates the
    // object and returns {created, true}. One transaction; MultipleObjectsReturned if several match.
    template <class T, class... Lookup>
    std::pair<T, bool> get_or_create(T object, Lookup... lookup);
    // The same lookup; a found row gets every other field from the object (auto_now_add fields
    // keep their stored value) and is returned with {updated, false}; else {created, true}.
    template <class T, class... Lookup>
    std::pair<T, bool> update_or_create(T object, Lookup... lookup);
    // The related manager of `owner`'s relation by name: db.related<Book>(ann, "books") (the
    // reverse of Book.author), db.related<Category>(book, "categories") (related_manager.hpp).
    template <class T, class Owner>
    RelatedManager<T> related(const Owner& owner, std::string_view name);
    // Reloads every field from the row with the object's primary key; DoesNotExist if it is gone.
    template <class T>
    void refresh(T& object);

private:
    friend class Cursor;
    friend class Transaction;
    friend void assert_num_queries(Database& db, std::int64_t expected, const std::function<void()>& body);
    struct Cache;

    Cursor open(std::string_view sql);  // the cached statement, counted as started, nothing bound
    Cursor open(std::string_view sql, std::span<const Value> params, bool copy_params);
    sqlite3_stmt* prepare(std::string_view sql, bool persistent);
    void started(sqlite3_stmt* stmt);
    [[noreturn]] void throw_wrong_thread() const;
    [[noreturn]] void throw_error(std::string_view sql) const;

    sqlite3* db_ = nullptr;
    std::string path_;
    DatabaseOptions options_;
    std::thread::id owner_;
    std::unique_ptr<Cache> cache_;
    QueryHook hook_;
    std::vector<std::string>* captured_ = nullptr;  // assert_num_queries: SQL of the statements run
    std::int64_t query_count_ = 0;
    std::int64_t prepare_count_ = 0;
    int transaction_depth_ = 0;  // open covet::Transaction guards
    std::shared_ptr<Database* const> self_;  // what DatabaseRefs watch; reset first on destruction
    std::uint64_t origins_ = 0;
    std::size_t lazy_limit_ = 0;
    LazyLoadAction lazy_action_ = LazyLoadAction::Warn;
    std::uint64_t lazy_origin_ = 0;  // the evaluation whose lazy loads are being counted
    std::vector<std::pair<std::string, std::size_t>> lazy_counts_;
    std::function<void(std::string_view)> warning_hook_;
    covet_resolver* resolver_ = nullptr;  // related_pairs_sql()'s, opened on first use
};

// Runs body() and checks that it ran exactly `expected` statements on db (like Django's
// assertNumQueries); otherwise throws covet::Error listing them:
//   covet: expected 1 query, 2 were run:
//     1. SELECT ...
//     2. SELECT ...
// Exceptions from body propagate unchanged.
void assert_num_queries(Database& db, std::int64_t expected, const std::function<void()>& body);

template <class F>
std::invoke_result_t<F&> Database::transaction(TransactionMode mode, F&& body) {
    using Result = std::invoke_result_t<F&>;
    Transaction guard{*this, mode};
    if constexpr (std::is_void_v<Result>) {
        std::invoke(body);
        guard.commit();
    } else {
        Result result = std::invoke(body);
        guard.commit();
        if constexpr (std::is_reference_v<Result>)
            return static_cast<Result>(result);
        else
            return result;
    }
}

}  // namespace covet
