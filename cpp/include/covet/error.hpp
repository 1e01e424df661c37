// covet's exceptions: one hierarchy rooted at covet::Error (a std::runtime_error).
//
//   covet::Error                      every error covet throws; SQLite errors not mapped below
//   ├── DoesNotExist                  get() found no row
//   ├── MultipleObjectsReturned       get() found more than one row
//   ├── IntegrityError                a constraint failed (UNIQUE, NOT NULL, CHECK, covet: ...)
//   │   ├── ProtectedError            a delete refused by an on_delete PROTECT relation
//   │   └── RestrictedError           a delete refused by an on_delete RESTRICT relation
//   ├── SchemaError                   the database does not match the models (no such table/column)
//   ├── ValidationError               a value refused before it reached SQLite
//   └── UsageError                    covet used wrongly: another thread, bad parameter count, ...
//
// SQLite errors are mapped to this hierarchy in one place, throw_sqlite_error(). An exception
// made from an SQLite error keeps SQLite's message, the SQL text and the extended result code;
// what() reads "<SQLite's message> [<code name>] in: <SQL>". Model-level code fills model(),
// field() and value() when it knows them (Details).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace covet {

class Error : public std::runtime_error {
public:
    // What is known about the error besides the message; every member is optional ("" / 0).
    struct Details {
        std::string sql{};           // the statement that failed
        std::string sqlite_message{};  // sqlite3_errmsg(), unchanged
        int sqlite_code = 0;         // the extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE); 0: not from SQLite
        std::string model{};         // e.g. "Author"
        std::string field{};         // e.g. "email"
        std::string value{};         // the value, as written in an error message ('x', 42, NULL)
        // ProtectedError / RestrictedError: the objects that forbid the delete, as
        // "Model(pk)" ("Loan(3)"; the table name when no model is registered for it).
        std::vector<std::string> blocking{};
    };

    explicit Error(const std::string& message);
    Error(const std::string& message, Details details);

    const std::string& sql() const noexcept { return details_->sql; }
    const std::string& sqlite_message() const noexcept { return details_->sqlite_message; }
    // The extended result code; sqlite_code() & 0xff is the primary one. 0 if not from SQLite.
    int sqlite_code() const noexcept { return details_->sqlite_code; }
    const std::string& model() const noexcept { return details_->model; }
    const std::string& field() const noexcept { return details_->field; }
    const std::string& value() const noexcept { return details_->value; }
    const std::vector<std::string>& blocking_objects() const noexcept { return details_->blocking; }
    const Details& details() const noexcept { return *details_; }

private:
    std::shared_ptr<const Details> details_;  // shared: copying an exception does not throw
};

class DoesNotExist : public Error {
public:
    using Error::Error;
};

// A related object that is not there: a reverse OneToOne with no object, or a key that refers
// to a row that has gone (Django's RelatedObjectDoesNotExist).
class RelatedObjectDoesNotExist : public DoesNotExist {
public:
    using DoesNotExist::DoesNotExist;
};

class MultipleObjectsReturned : public Error {
public:
    using Error::Error;
};

class IntegrityError : public Error {
public:
    using Error::Error;
};

class ProtectedError : public IntegrityError {
public:
    using IntegrityError::IntegrityError;
};

class RestrictedError : public IntegrityError {
public:
    using IntegrityError::IntegrityError;
};

class SchemaError : public Error {
public:
    using Error::Error;
};

class ValidationError : public Error {
public:
    using Error::Error;
};

class UsageError : public Error {
public:
    using Error::Error;
};

// The name of an SQLite (extended) result code: "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_BUSY", ...
std::string_view sqlite_code_name(int code) noexcept;

// The one place SQLite errors become covet exceptions. code: the extended result code;
// message: sqlite3_errmsg(); sql: the statement. Mapping:
//   message starts "covet: PROTECT"               -> ProtectedError
//   message starts "covet: RESTRICT"              -> RestrictedError
//   SQLITE_CONSTRAINT_* (incl. other "covet:" refusals, trigger RAISE) -> IntegrityError
//   "no such table", "no such column", "has no column named"          -> SchemaError
//   SQLITE_MISUSE, SQLITE_RANGE                   -> UsageError
//   anything else                                  -> Error
[[noreturn]] void throw_sqlite_error(int code, std::string_view message, std::string_view sql);

}  // namespace covet
