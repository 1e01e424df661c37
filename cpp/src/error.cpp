#include <covet/error.hpp>

#include <sqlite3.h>

#include <fmt/core.h>

#include <utility>

namespace covet {

Error::Error(const std::string& message) : Error(message, Details{}) {}

Error::Error(const std::string& message, Details details)
    : std::runtime_error(message), details_(std::make_shared<const Details>(std::move(details))) {}

std::string_view sqlite_code_name(int code) noexcept {
    struct Name {
        int code;
        std::string_view name;
    };
    static constexpr Name names[] = {
        {SQLITE_ERROR, "SQLITE_ERROR"},
        {SQLITE_INTERNAL, "SQLITE_INTERNAL"},
        {SQLITE_PERM, "SQLITE_PERM"},
        {SQLITE_ABORT, "SQLITE_ABORT"},
        {SQLITE_BUSY, "SQLITE_BUSY"},
        {SQLITE_LOCKED, "SQLITE_LOCKED"},
        {SQLITE_NOMEM, "SQLITE_NOMEM"},
        {SQLITE_READONLY, "SQLITE_READONLY"},
        {SQLITE_INTERRUPT, "SQLITE_INTERRUPT"},
        {SQLITE_IOERR, "SQLITE_IOERR"},
        {SQLITE_CORRUPT, "SQLITE_CORRUPT"},
        {SQLITE_NOTFOUND, "SQLITE_NOTFOUND"},
        {SQLITE_FULL, "SQLITE_FULL"},
        {SQLITE_CANTOPEN, "SQLITE_CANTOPEN"},
        {SQLITE_PROTOCOL, "SQLITE_PROTOCOL"},
        {SQLITE_EMPTY, "SQLITE_EMPTY"},
        {SQLITE_SCHEMA, "SQLITE_SCHEMA"},
        {SQLITE_TOOBIG, "SQLITE_TOOBIG"},
        {SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT"},
        {SQLITE_MISMATCH, "SQLITE_MISMATCH"},
        {SQLITE_MISUSE, "SQLITE_MISUSE"},
        {SQLITE_NOLFS, "SQLITE_NOLFS"},
        {SQLITE_AUTH, "SQLITE_AUTH"},
        {SQLITE_FORMAT, "SQLITE_FORMAT"},
        {SQLITE_RANGE, "SQLITE_RANGE"},
        {SQLITE_NOTADB, "SQLITE_NOTADB"},
        {SQLITE_ERROR_MISSING_COLLSEQ, "SQLITE_ERROR_MISSING_COLLSEQ"},
        {SQLITE_ERROR_RETRY, "SQLITE_ERROR_RETRY"},
        {SQLITE_ERROR_SNAPSHOT, "SQLITE_ERROR_SNAPSHOT"},
        {SQLITE_LOCKED_SHAREDCACHE, "SQLITE_LOCKED_SHAREDCACHE"},
        {SQLITE_LOCKED_VTAB, "SQLITE_LOCKED_VTAB"},
        {SQLITE_BUSY_RECOVERY, "SQLITE_BUSY_RECOVERY"},
        {SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT"},
        {SQLITE_BUSY_TIMEOUT, "SQLITE_BUSY_TIMEOUT"},
        {SQLITE_CANTOPEN_NOTEMPDIR, "SQLITE_CANTOPEN_NOTEMPDIR"},
        {SQLITE_CANTOPEN_ISDIR, "SQLITE_CANTOPEN_ISDIR"},
        {SQLITE_CANTOPEN_FULLPATH, "SQLITE_CANTOPEN_FULLPATH"},
        {SQLITE_READONLY_RECOVERY, "SQLITE_READONLY_RECOVERY"},
        {SQLITE_READONLY_CANTLOCK, "SQLITE_READONLY_CANTLOCK"},
        {SQLITE_READONLY_ROLLBACK, "SQLITE_READONLY_ROLLBACK"},
        {SQLITE_READONLY_DBMOVED, "SQLITE_READONLY_DBMOVED"},
        {SQLITE_READONLY_CANTINIT, "SQLITE_READONLY_CANTINIT"},
        {SQLITE_READONLY_DIRECTORY, "SQLITE_READONLY_DIRECTORY"},
        {SQLITE_ABORT_ROLLBACK, "SQLITE_ABORT_ROLLBACK"},
        {SQLITE_CONSTRAINT_CHECK, "SQLITE_CONSTRAINT_CHECK"},
        {SQLITE_CONSTRAINT_COMMITHOOK, "SQLITE_CONSTRAINT_COMMITHOOK"},
        {SQLITE_CONSTRAINT_FOREIGNKEY, "SQLITE_CONSTRAINT_FOREIGNKEY"},
        {SQLITE_CONSTRAINT_FUNCTION, "SQLITE_CONSTRAINT_FUNCTION"},
        {SQLITE_CONSTRAINT_NOTNULL, "SQLITE_CONSTRAINT_NOTNULL"},
        {SQLITE_CONSTRAINT_PRIMARYKEY, "SQLITE_CONSTRAINT_PRIMARYKEY"},
        {SQLITE_CONSTRAINT_TRIGGER, "SQLITE_CONSTRAINT_TRIGGER"},
        {SQLITE_CONSTRAINT_UNIQUE, "SQLITE_CONSTRAINT_UNIQUE"},
        {SQLITE_CONSTRAINT_VTAB, "SQLITE_CONSTRAINT_VTAB"},
        {SQLITE_CONSTRAINT_ROWID, "SQLITE_CONSTRAINT_ROWID"},
        {SQLITE_CONSTRAINT_PINNED, "SQLITE_CONSTRAINT_PINNED"},
        {SQLITE_CONSTRAINT_DATATYPE, "SQLITE_CONSTRAINT_DATATYPE"},
    };
    for (const Name& n : names)
        if (n.code == code) return n.name;
    for (const Name& n : names)  // an extended code this table does not know: its primary code
        if (n.code == (code & 0xff)) return n.name;
    return "SQLITE_UNKNOWN";
}

namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

void throw_sqlite_error(int code, std::string_view message, std::string_view sql) {
    std::string what = fmt::format("{} [{}] in: {}", message, sqlite_code_name(code), sql);
    Error::Details details{.sql = std::string(sql), .sqlite_message = std::string(message), .sqlite_code = code};
    int primary = code & 0xff;
    // covet's refusals come as trigger RAISE(ABORT, ...) (SQLITE_CONSTRAINT_TRIGGER) or as function
    // errors from covet_delete(): the message prefix decides, whatever the code.
    if (starts_with(message, "covet: PROTECT")) throw ProtectedError(what, std::move(details));
    if (starts_with(message, "covet: RESTRICT")) throw RestrictedError(what, std::move(details));
    if (primary == SQLITE_CONSTRAINT) throw IntegrityError(what, std::move(details));
    if (primary == SQLITE_ERROR && (starts_with(message, "no such table") || starts_with(message, "no such column") ||
                                    contains(message, "has no column named")))
        throw SchemaError(what, std::move(details));
    if (primary == SQLITE_MISUSE || primary == SQLITE_RANGE) throw UsageError(what, std::move(details));
    throw Error(what, std::move(details));
}

}  // namespace covet
