// The non-template half of the model layer: ModelInfo lookups, value descriptions, the field
// conversions' checks and text formats (field.hpp), and model_info<T>()'s final steps (model.hpp).
#include <covet/field.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <covet/model_info.hpp>
#include <covet/value.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace covet {

const Column* ModelInfo::field(std::string_view name) const {
    for (const Column& column : columns) {
        if (column.field == name) {
            return &column;
        }
    }
    return nullptr;
}

std::string ModelInfo::no_field_message(std::string_view wanted) const {
    std::string fields;
    for (const Column& c : columns) fields += (fields.empty() ? "" : ", ") + c.field;
    return fmt::format("covet: {} has no field '{}' (fields: {})", name, wanted, fields);
}

std::string describe(const Value& value) {
    struct Visitor {
        std::string operator()(std::nullptr_t) const { return "NULL"; }
        std::string operator()(std::int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const { return fmt::format("{}", v); }
        std::string operator()(const std::string& v) const {
            std::string out = "'";
            for (char c : v) {
                out += c;
                if (c == '\'') {
                    out += '\'';
                }
            }
            return out + "'";
        }
        std::string operator()(const Blob& v) const {
            std::string out = "x'";
            for (std::byte b : v) {
                out += fmt::format("{:02x}", static_cast<unsigned>(b));
            }
            return out + "'";
        }
    };
    return std::visit(Visitor{}, value);
}

std::string snake_case(std::string_view name) {
    std::string out;
    auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto is_lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (is_upper(c)) {
            const bool after_word = i > 0 && is_lower_or_digit(name[i - 1]);
            const bool acronym_end = i > 0 && is_upper(name[i - 1]) && i + 1 < name.size() && is_lower_or_digit(name[i + 1]) &&
                                     !(name[i + 1] >= '0' && name[i + 1] <= '9');
            if ((after_word || acronym_end) && !out.empty() && out.back() != '_') {
                out += '_';
            }
            out += static_cast<char>(c - 'A' + 'a');
        } else if (is_lower_or_digit(c) || c == '_') {
            out += c;
        } else if (!out.empty() && out.back() != '_') {  // template arguments and the like
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    return out;
}

// ---- field conversions -------------------------------------------------------------------------

namespace detail {

// A value that does not fit its field is a ValidationError; a model declared wrongly, a UsageError.
void throw_out_of_range(std::string message) { throw ValidationError(std::move(message)); }
void throw_invalid(std::string message) { throw ValidationError(std::move(message)); }
void throw_logic(std::string message) { throw UsageError(std::move(message)); }
const ModelInfo& no_model_info() { throw_logic("covet: model_info() of a struct that is not a model"); }

void check_bind(sqlite3_stmt* stmt, int rc) {
    if (rc != SQLITE_OK) {
        sqlite3* db = sqlite3_db_handle(stmt);
        throw_invalid(fmt::format("covet: cannot bind a parameter: {}", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
}

void bind_null(sqlite3_stmt* stmt, int index) { check_bind(stmt, sqlite3_bind_null(stmt, index)); }
void bind_int64(sqlite3_stmt* stmt, int index, std::int64_t value) {
    check_bind(stmt, sqlite3_bind_int64(stmt, index, value));
}
void bind_uint64(sqlite3_stmt* stmt, int index, std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw_out_of_range(fmt::format(
            "covet: unsigned value {} does not fit in a SQLite integer (at most 9223372036854775807)", value));
    }
    bind_int64(stmt, index, static_cast<std::int64_t>(value));
}
void bind_double(sqlite3_stmt* stmt, int index, double value) {
    check_bind(stmt, sqlite3_bind_double(stmt, index, value));
}
void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
    // A non-null pointer even for "", or SQLite would bind NULL.
    check_bind(stmt, sqlite3_bind_text64(stmt, index, text.empty() ? "" : text.data(), text.size(), SQLITE_STATIC,
                                         SQLITE_UTF8));
}
void bind_text_copy(sqlite3_stmt* stmt, int index, std::string_view text) {
    check_bind(stmt, sqlite3_bind_text64(stmt, index, text.empty() ? "" : text.data(), text.size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8));
}
void bind_blob(sqlite3_stmt* stmt, int index, const Blob& blob) {
    if (blob.empty()) {
        check_bind(stmt, sqlite3_bind_zeroblob(stmt, index, 0));
    } else {
        check_bind(stmt, sqlite3_bind_blob64(stmt, index, blob.data(), blob.size(), SQLITE_STATIC));
    }
}

bool is_null(sqlite3_stmt* stmt, int column) { return sqlite3_column_type(stmt, column) == SQLITE_NULL; }

namespace {
const char* column_label(sqlite3_stmt* stmt, int column) {
    const char* name = sqlite3_column_name(stmt, column);
    return name ? name : "?";
}
void require_not_null(sqlite3_stmt* stmt, int column) {
    if (is_null(stmt, column)) {
        throw_invalid(fmt::format("covet: column {} ({}) is NULL but its field is not std::optional", column,
                                  column_label(stmt, column)));
    }
}
const char* storage_class(int type) {
    switch (type) {
        case SQLITE_INTEGER: return "INTEGER";
        case SQLITE_FLOAT: return "REAL";
        case SQLITE_TEXT: return "TEXT";
        case SQLITE_BLOB: return "BLOB";
        default: return "NULL";
    }
}
}  // namespace

// Per row and column, one sqlite3_column_value() and then the value itself: the sqlite3_column_*
// readers each take the connection's mutex and check for allocation failures, and asking a
// column's type and then its content would pay that twice. SQLite calls such a value unprotected:
// reading an integer from it never allocates, so it is safe on any connection.
namespace {
// Why an integer column's value is refused: not an integer (NULL included), or out of range.
[[noreturn, gnu::cold, gnu::noinline]] void throw_bad_integer(sqlite3_stmt* stmt, int column, sqlite3_value* cell,
                                                             std::int64_t min, std::int64_t max) {
    const int type = sqlite3_value_type(cell);
    if (type != SQLITE_INTEGER) {
        require_not_null(stmt, column);
        throw_invalid(fmt::format("covet: column {} ({}) holds {} where an integer was expected", column,
                                  column_label(stmt, column), storage_class(type)));
    }
    throw_out_of_range(fmt::format("covet: column {} ({}): {} does not fit in the field's type [{}, {}]", column,
                                   column_label(stmt, column), sqlite3_value_int64(cell), min, max));
}

std::int64_t checked_integer(sqlite3_stmt* stmt, int column, sqlite3_value* cell, std::int64_t min, std::int64_t max) {
    if (sqlite3_value_type(cell) == SQLITE_INTEGER) {
        const std::int64_t value = sqlite3_value_int64(cell);
        if (value >= min && value <= max) return value;
    }
    throw_bad_integer(stmt, column, cell, min, max);
}
}  // namespace

std::int64_t read_integer(sqlite3_stmt* stmt, int column, std::int64_t min, std::int64_t max) {
    return checked_integer(stmt, column, sqlite3_column_value(stmt, column), min, max);
}

std::optional<std::int64_t> read_optional_integer(sqlite3_stmt* stmt, int column, std::int64_t min,
                                                  std::int64_t max) {
    sqlite3_value* cell = sqlite3_column_value(stmt, column);
    if (sqlite3_value_type(cell) == SQLITE_NULL) return std::nullopt;
    return checked_integer(stmt, column, cell, min, max);
}

std::uint64_t read_unsigned(sqlite3_stmt* stmt, int column, std::uint64_t max) {
    const std::int64_t value = read_integer(stmt, column, 0, std::numeric_limits<std::int64_t>::max());
    if (static_cast<std::uint64_t>(value) > max) {
        throw_out_of_range(fmt::format("covet: column {}: {} does not fit in the field's type", column, value));
    }
    return static_cast<std::uint64_t>(value);
}

double read_real(sqlite3_stmt* stmt, int column) {
    require_not_null(stmt, column);
    const int type = sqlite3_column_type(stmt, column);
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) {
        throw_invalid(fmt::format("covet: column {} ({}) holds {} where a number was expected", column,
                                  column_label(stmt, column), storage_class(type)));
    }
    return sqlite3_column_double(stmt, column);
}

std::string_view read_text_view(sqlite3_stmt* stmt, int column) {
    // Text may need converting (another encoding, a number read as text), which allocates on the
    // connection: from an unprotected value (see read_integer) only when the connection has no
    // mutex (covet's own: one thread per Database), else through sqlite3_column_text().
    // The text is NULL for a NULL value (or when out of memory): only then is the type asked, so
    // that a text column costs no type check per row.
    const char* text = nullptr;
    int size = 0;
    if (sqlite3_db_mutex(sqlite3_db_handle(stmt)) == nullptr) {
        sqlite3_value* cell = sqlite3_column_value(stmt, column);
        text = reinterpret_cast<const char*>(sqlite3_value_text(cell));
        size = sqlite3_value_bytes(cell);
    } else {
        text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
        size = sqlite3_column_bytes(stmt, column);
    }
    if (text == nullptr) require_not_null(stmt, column);
    return text ? std::string_view(text, static_cast<std::size_t>(size)) : std::string_view();
}

std::string read_text(sqlite3_stmt* stmt, int column) { return std::string(read_text_view(stmt, column)); }

Blob read_blob(sqlite3_stmt* stmt, int column) {
    require_not_null(stmt, column);
    const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt, column));
    const int size = sqlite3_column_bytes(stmt, column);
    return data ? Blob(data, data + size) : Blob();
}

namespace {
const char* value_kind(const Value& value) {
    static constexpr const char* kinds[] = {"NULL", "an integer", "a real", "text", "a blob"};
    return kinds[value.index()];
}
[[noreturn]] void wrong_value(const Value& value, const char* expected) {
    throw_invalid(fmt::format("covet: {} ({}) where {} was expected", describe(value), value_kind(value), expected));
}
}  // namespace

std::int64_t value_integer(const Value& value, std::int64_t min, std::int64_t max) {
    const auto* v = std::get_if<std::int64_t>(&value);
    if (!v) {
        wrong_value(value, "an integer");
    }
    if (*v < min || *v > max) {
        throw_out_of_range(fmt::format("covet: {} does not fit in the field's type [{}, {}]", *v, min, max));
    }
    return *v;
}

std::uint64_t value_unsigned(const Value& value, std::uint64_t max) {
    const std::int64_t v = value_integer(value, 0, std::numeric_limits<std::int64_t>::max());
    if (static_cast<std::uint64_t>(v) > max) {
        throw_out_of_range(fmt::format("covet: {} does not fit in the field's type", v));
    }
    return static_cast<std::uint64_t>(v);
}

double value_real(const Value& value) {
    if (const auto* d = std::get_if<double>(&value)) {
        return *d;
    }
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return static_cast<double>(*i);
    }
    wrong_value(value, "a number");
}

const std::string& value_text(const Value& value) {
    const auto* s = std::get_if<std::string>(&value);
    if (!s) {
        wrong_value(value, "text");
    }
    return *s;
}

const Blob& value_blob(const Value& value) {
    const auto* b = std::get_if<Blob>(&value);
    if (!b) {
        wrong_value(value, "a blob");
    }
    return *b;
}

// ---- ISO-8601 text ----------------------------------------------------------------------------

std::size_t format_date(char* out, std::int64_t days_since_epoch) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{days_since_epoch}}};
    const int y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999) {
        throw_out_of_range(fmt::format("covet: year {} cannot be written as YYYY-MM-DD", y));
    }
    const int n = std::snprintf(out, 11, "%04d-%02u-%02u", y, static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()));
    return static_cast<std::size_t>(n);
}

std::size_t format_datetime(char* out, std::int64_t seconds, std::int64_t fraction, int digits) {
    constexpr std::int64_t day = 86400;
    std::int64_t days = seconds / day;
    std::int64_t rest = seconds % day;
    if (rest < 0) {
        rest += day;
        --days;
    }
    std::size_t n = format_date(out, days);
    n += static_cast<std::size_t>(std::snprintf(out + n, 10, " %02d:%02d:%02d", static_cast<int>(rest / 3600),
                                                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60)));
    if (digits > 0 && fraction != 0) {
        n += static_cast<std::size_t>(
            std::snprintf(out + n, 12, ".%0*lld", digits, static_cast<long long>(fraction)));
    }
    return n;
}

void parse_datetime(std::string_view text, std::int64_t& seconds, std::int64_t& nanoseconds) {
    auto fail = [&]() {
        throw_invalid(fmt::format("covet: '{}' is not an ISO-8601 date or date and time (YYYY-MM-DD HH:MM:SS)", text));
    };
    std::size_t pos = 0;
    auto number = [&](std::size_t width) {
        if (pos + width > text.size()) {
            fail();
        }
        int value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            const char c = text[pos + i];
            if (c < '0' || c > '9') {
                fail();
            }
            value = value * 10 + (c - '0');
        }
        pos += width;
        return value;
    };
    auto expect = [&](char c) {
        if (pos >= text.size() || text[pos] != c) {
            fail();
        }
        ++pos;
    };
    using namespace std::chrono;
    const int y = number(4);
    expect('-');
    const int mo = number(2);
    expect('-');
    const int d = number(2);
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        fail();
    }
    std::int64_t secs = 0;
    std::int64_t nanos = 0;
    if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
        ++pos;
        const int h = number(2);
        expect(':');
        const int mi = number(2);
        int s = 0;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            s = number(2);
            if (pos < text.size() && text[pos] == '.') {
                ++pos;
                int count = 0;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    if (count < 9) {
                        nanos = nanos * 10 + (text[pos] - '0');
                    }
                    ++count;
                    ++pos;
                }
                if (count == 0) {
                    fail();
                }
                for (int i = count; i < 9; ++i) {
                    nanos *= 10;
                }
            }
        }
        if (h > 23 || mi > 59 || s > 59) {
            fail();
        }
        secs = h * 3600 + mi * 60 + s;
    }
    if (pos < text.size() && text[pos] == 'Z') {
        ++pos;
    }
    if (pos != text.size()) {
        fail();
    }
    seconds = sys_days{ymd}.time_since_epoch().count() * std::int64_t{86400} + secs;
    nanoseconds = nanos;
}

std::int64_t enum_value(std::string_view name, const std::string_view* names, const std::int64_t* values,
                        std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (names[i] == name) {
            return values[i];
        }
    }
    std::string allowed;
    for (std::size_t i = 0; i < count; ++i) {
        allowed += (i ? ", " : "") + std::string(names[i]);
    }
    throw_invalid(fmt::format("covet: '{}' is not one of the enum's names ({})", name, allowed));
}

std::string_view enum_name(std::int64_t value, const std::string_view* names, const std::int64_t* values,
                           std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (values[i] == value) {
            return names[i];
        }
    }
    throw_invalid(fmt::format("covet: enum value {} has no name in covet::enum_names", value));
}

// ---- model_info<T>() ---------------------------------------------------------------------------

std::string struct_name(std::string_view pretty) {
    // g++: "... pretty_name() [with T = ns::Author; std::string_view = ...]"
    // clang: "... pretty_name() [T = ns::Author]"
    std::size_t start = pretty.find("T = ");
    if (start == std::string_view::npos) {
        return std::string(pretty);
    }
    start += 4;
    std::size_t end = start;
    int depth = 0;
    std::size_t last_colon = std::string_view::npos;
    for (; end < pretty.size(); ++end) {
        const char c = pretty[end];
        if (c == '<' || c == '(') {
            ++depth;
        } else if (c == '>' || c == ')') {
            --depth;
        } else if (depth == 0 && (c == ';' || c == ']')) {
            break;
        } else if (depth == 0 && c == ':' && end + 1 < pretty.size() && pretty[end + 1] == ':') {
            last_colon = end + 1;
        }
    }
    if (last_colon != std::string_view::npos) {
        start = last_colon + 1;
    }
    return std::string(pretty.substr(start, end - start));
}

std::optional<Value> default_to_value(const DefaultValue& value, ColumnType type) {
    switch (value.kind) {
        case DefaultValue::Kind::None: return std::nullopt;
        case DefaultValue::Kind::Null: return Value{nullptr};
        case DefaultValue::Kind::Integer:
            if (type == ColumnType::Real) {
                return Value{static_cast<double>(value.integer)};
            }
            return Value{value.integer};
        case DefaultValue::Kind::Real: return Value{value.real};
        case DefaultValue::Kind::Text: return Value{std::string(value.text)};
    }
    return std::nullopt;
}

void finish_model_info(ModelInfo& info, const std::vector<std::string>& unique_fields,
                       std::optional<std::size_t> primary_key) {
    if (info.table.empty()) {
        info.table = snake_case(info.name) + "s";
    }
    auto index_of = [&](std::string_view name, const char* where) {
        for (std::size_t i = 0; i < info.columns.size(); ++i) {
            if (info.columns[i].field == name) {
                return i;
            }
        }
        throw_logic(fmt::format("covet: meta<{}>::{} names '{}', which is not a field of {}", info.name, where, name,
                                info.name));
    };
    if (!primary_key) {
        for (std::size_t i = 0; i < info.columns.size(); ++i) {
            if (info.columns[i].field == "id") {
                primary_key = i;
            }
        }
    }
    if (!primary_key) {
        throw_logic(fmt::format("covet: {} has no primary key: add a field named id, or mark one with "
                                "covet::meta<{}>::primary_key = &{}::member",
                                info.name, info.name, info.name));
    }
    info.primary_key = *primary_key;
    info.columns[*primary_key].primary_key = true;
    for (const std::string& name : unique_fields) {
        info.columns[index_of(name, "unique")].unique = true;
    }
    for (const std::string& name : info.ordering) {
        index_of(std::string_view(name).substr(!name.empty() && name.front() == '-' ? 1 : 0), "ordering");
    }
    for (const auto& list : info.unique_together) {
        for (const std::string& name : list) {
            index_of(name, "unique_together");
        }
    }
    for (const auto& list : info.indexes) {
        for (const std::string& name : list) {
            index_of(name, "indexes");
        }
    }
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (info.columns[i].name == info.columns[j].name) {
                throw_logic(fmt::format("covet: {}: fields {} and {} have the same column name '{}'", info.name,
                                        info.columns[j].field, info.columns[i].field, info.columns[i].name));
            }
        }
    }
}

}  // namespace detail

// ---- validation --------------------------------------------------------------------------------

bool is_valid_email(std::string_view text) {
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos || at == 0 || at != text.rfind('@') || text.size() > 254) {
        return false;
    }
    const std::string_view local = text.substr(0, at);
    const std::string_view domain = text.substr(at + 1);
    auto bad_char = [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' ||
               c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' || c == '"';
    };
    if (std::any_of(text.begin(), text.end(), bad_char) || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return false;
    }
    const std::size_t dot = domain.rfind('.');
    if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size() ||
        domain.front() == '-' || domain.find("..") != std::string_view::npos) {
        return false;
    }
    return std::all_of(domain.begin(), domain.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80;
    });
}

bool is_valid_url(std::string_view text) {
    const std::size_t scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        return false;
    }
    std::string scheme(text.substr(0, scheme_end));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "ftps") {
        return false;
    }
    const std::string_view rest = text.substr(scheme_end + 3);
    const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty() || std::any_of(text.begin(), text.end(), [](char c) {
            return static_cast<unsigned char>(c) <= ' ';
        })) {
        return false;
    }
    const std::string_view hostname = host.substr(host.rfind('@') == std::string_view::npos ? 0 : host.rfind('@') + 1);
    const std::string_view name = hostname.front() == '[' ? hostname : hostname.substr(0, hostname.rfind(':'));
    if (name.empty() || name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos) {
        return false;
    }
    return name == "localhost" || name.front() == '[' || name.find('.') != std::string_view::npos;
}

namespace {
std::size_t utf8_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}
}  // namespace

std::string validate_value(const Column& column, const Value& value) {
    if (std::holds_alternative<std::nullptr_t>(value)) {
        return column.nullable ? std::string() : std::string("may not be NULL");
    }
    if (const auto* text = std::get_if<std::string>(&value)) {
        if (column.max_length && utf8_length(*text) > *column.max_length) {
            return fmt::format("is longer than {} characters", *column.max_length);
        }
        if (column.email && !is_valid_email(*text)) {
            return "is not a valid e-mail address";
        }
        if (column.url && !is_valid_url(*text)) {
            return "is not a valid URL";
        }
    }
    for (const auto& validator : column.validators) {
        std::string problem = validator(value);
        if (!problem.empty()) {
            return problem;
        }
    }
    return {};
}

std::vector<std::string> validate(const ModelInfo& info, const std::vector<Value>& values) {
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < info.columns.size() && i < values.size(); ++i) {
        std::string problem = validate_value(info.columns[i], values[i]);
        if (!problem.empty()) {
            problems.push_back(fmt::format("{}.{}: {}", info.name, info.columns[i].field, problem));
        }
    }
    return problems;
}

}  // namespace covet
