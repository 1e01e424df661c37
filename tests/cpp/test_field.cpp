// field_traits: every field type through a real SQLite table, built from ModelInfo's columns.
#include <covet/model.hpp>

#include <covet/error.hpp>
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono;

enum class Color { Red, Green, Blue };  // named: stored as text
enum class Level : std::int8_t { Low = -5, High = 7 };  // named with values
enum Plain : unsigned { Zero, One, Two };  // unnamed: stored as integers

template <>
struct covet::enum_names<Color> {
    static constexpr std::array names{"red", "green", "blue"};
};
template <>
struct covet::enum_names<Level> {
    static constexpr std::array names{std::pair{Level::Low, "low"}, std::pair{Level::High, "high"}};
};

struct Everything {
    std::int64_t id = 0;
    std::int8_t i8 = 0;
    std::uint8_t u8 = 0;
    std::int16_t i16 = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    std::uint64_t u64 = 0;
    bool flag = false;
    double real = 0;
    float single = 0;
    std::string text;
    covet::Blob bytes;
    Color color = Color::Red;
    Level level = Level::Low;
    Plain plain = Zero;
    sys_seconds when_seconds{};
    sys_time<milliseconds> when_ms{};
    system_clock::time_point when_now{};
    sys_days day{};
    year_month_day date{};
    std::optional<std::int32_t> opt_int;
    std::optional<double> opt_real;
    std::optional<std::string> opt_text;
    std::optional<covet::Blob> opt_bytes;
    std::optional<Color> opt_color;
    std::optional<sys_seconds> opt_when;
    std::optional<year_month_day> opt_date;
};
BOOST_HANA_ADAPT_STRUCT(Everything, id, i8, u8, i16, u16, i32, u32, u64, flag, real, single, text, bytes, color, level,
                        plain, when_seconds, when_ms, when_now, day, date, opt_int, opt_real, opt_text, opt_bytes,
                        opt_color, opt_when, opt_date);

namespace {

struct Db {
    sqlite3* db = nullptr;
    Db() { REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK); }
    ~Db() { sqlite3_close(db); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    void exec(const std::string& sql) {
        char* error = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
        INFO(sql << ": " << (error ? error : ""));
        sqlite3_free(error);
        REQUIRE(rc == SQLITE_OK);
    }
};

struct Stmt {
    sqlite3_stmt* stmt = nullptr;
    Stmt(sqlite3* db, const std::string& sql) {
        INFO(sql << ": " << sqlite3_errmsg(db));
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    }
    ~Stmt() { sqlite3_finalize(stmt); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    int step() { return sqlite3_step(stmt); }
};

const char* type_name(covet::ColumnType type) {
    switch (type) {
        case covet::ColumnType::Integer: return "INTEGER";
        case covet::ColumnType::Real: return "REAL";
        case covet::ColumnType::Text: return "TEXT";
        case covet::ColumnType::Blob: return "BLOB";
    }
    return "";
}

template <class T>
void create_table(Db& db) {
    const covet::ModelInfo& info = covet::model_info<T>();
    std::string sql = "CREATE TABLE " + info.table + " (";
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        const covet::Column& c = info.columns[i];
        sql += (i ? ", " : "") + c.name + " " + type_name(c.type) + (c.primary_key ? " PRIMARY KEY" : "") +
               (c.nullable ? "" : " NOT NULL");
    }
    db.exec(sql + ")");
}

template <class T>
void insert(Db& db, const T& object) {
    const covet::ModelInfo& info = covet::model_info<T>();
    std::string sql = "INSERT INTO " + info.table + " VALUES (";
    for (std::size_t i = 0; i < info.columns.size(); ++i) {
        sql += i ? ", ?" : "?";
    }
    Stmt stmt(db.db, sql + ")");
    covet::bind_fields(object, stmt.stmt, 1);
    REQUIRE(stmt.step() == SQLITE_DONE);
}

template <class T>
std::vector<T> select_all(Db& db) {
    Stmt stmt(db.db, "SELECT * FROM " + covet::model_info<T>().table + " ORDER BY 1");
    std::vector<T> rows;
    while (stmt.step() == SQLITE_ROW) {
        rows.push_back(covet::from_row<T>(stmt.stmt, 0));
    }
    return rows;
}

std::string query_text(Db& db, const std::string& sql) {
    Stmt stmt(db.db, sql);
    REQUIRE(stmt.step() == SQLITE_ROW);
    const auto* text = sqlite3_column_text(stmt.stmt, 0);
    return text ? reinterpret_cast<const char*>(text) : "NULL";
}

Everything full() {
    Everything e;
    e.id = 1;
    e.i8 = -128;
    e.u8 = 255;
    e.i16 = -32768;
    e.u16 = 65535;
    e.i32 = std::numeric_limits<std::int32_t>::min();
    e.u32 = std::numeric_limits<std::uint32_t>::max();
    e.u64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    e.flag = true;
    e.real = 3.25;
    e.single = 1.5F;
    e.text = "héllo 'quoted'\n";
    e.bytes = {std::byte{0}, std::byte{0xff}, std::byte{0x10}};
    e.color = Color::Blue;
    e.level = Level::High;
    e.plain = Two;
    e.when_seconds = sys_days{2024y / January / 31} + 12h + 34min + 56s;
    e.when_ms = sys_days{2024y / January / 31} + 12h + 34min + 56s + 789ms;
    e.when_now = sys_days{2024y / February / 29} + 1h + 2min + 3s + 123456789ns;
    e.day = sys_days{2023y / December / 25};
    e.date = 2024y / January / 31;
    e.opt_int = 42;
    e.opt_real = -0.5;
    e.opt_text = "";
    e.opt_bytes = covet::Blob{};
    e.opt_color = Color::Green;
    e.opt_when = sys_days{1969y / July / 20} + 20h + 17min;
    e.opt_date = 1900y / March / 1;
    return e;
}

bool same(const Everything& a, const Everything& b) {
    return a.id == b.id && a.i8 == b.i8 && a.u8 == b.u8 && a.i16 == b.i16 && a.u16 == b.u16 && a.i32 == b.i32 &&
           a.u32 == b.u32 && a.u64 == b.u64 && a.flag == b.flag && a.real == b.real && a.single == b.single &&
           a.text == b.text && a.bytes == b.bytes && a.color == b.color && a.level == b.level && a.plain == b.plain &&
           a.when_seconds == b.when_seconds && a.when_ms == b.when_ms && a.when_now == b.when_now && a.day == b.day &&
           a.date == b.date && a.opt_int == b.opt_int && a.opt_real == b.opt_real && a.opt_text == b.opt_text &&
           a.opt_bytes == b.opt_bytes && a.opt_color == b.opt_color && a.opt_when == b.opt_when &&
           a.opt_date == b.opt_date;
}

}  // namespace

TEST_CASE("column types and nullability come from the field types") {
    const covet::ModelInfo& info = covet::model_info<Everything>();
    using covet::ColumnType;
    auto col = [&](const char* name) { return *info.field(name); };
    CHECK(col("i8").type == ColumnType::Integer);
    CHECK(col("u64").type == ColumnType::Integer);
    CHECK(col("flag").type == ColumnType::Integer);
    CHECK(col("real").type == ColumnType::Real);
    CHECK(col("single").type == ColumnType::Real);
    CHECK(col("text").type == ColumnType::Text);
    CHECK(col("bytes").type == ColumnType::Blob);
    CHECK(col("color").type == ColumnType::Text);
    CHECK(col("color").choices == std::vector<std::string>{"red", "green", "blue"});
    CHECK(col("level").choices == std::vector<std::string>{"low", "high"});
    CHECK(col("plain").type == ColumnType::Integer);
    CHECK(col("plain").choices.empty());
    CHECK(col("when_now").type == ColumnType::Text);
    CHECK(col("date").type == ColumnType::Text);
    CHECK(col("opt_color").choices == std::vector<std::string>{"red", "green", "blue"});
    CHECK_FALSE(col("text").nullable);
    CHECK(col("opt_int").nullable);
    CHECK(col("opt_date").nullable);
    CHECK(col("opt_bytes").type == ColumnType::Blob);
    CHECK(info.table == "everythings");
}

TEST_CASE("every field type round-trips through SQLite") {
    Db db;
    create_table<Everything>(db);
    Everything e = full();
    Everything nulls;
    nulls.id = 2;
    nulls.date = 1970y / January / 1;  // a default year_month_day{} is not a valid date
    insert(db, e);
    insert(db, nulls);
    const auto rows = select_all<Everything>(db);
    REQUIRE(rows.size() == 2);
    CHECK(same(rows[0], e));
    CHECK(same(rows[1], nulls));
    CHECK_FALSE(rows[1].opt_int.has_value());
    CHECK_FALSE(rows[1].opt_text.has_value());
    CHECK_FALSE(rows[1].opt_bytes.has_value());
    CHECK_FALSE(rows[1].opt_color.has_value());
    CHECK_FALSE(rows[1].opt_date.has_value());
    CHECK(rows[0].opt_text == std::optional<std::string>(""));    // "" is not NULL
    CHECK(rows[0].opt_bytes == std::optional<covet::Blob>(covet::Blob{}));  // nor is an empty blob

    // What SQLite stores.
    CHECK(query_text(db, "SELECT typeof(opt_text) || typeof(opt_bytes) || typeof(opt_int) FROM everythings WHERE id = 2") ==
          "nullnullnull");
    CHECK(query_text(db, "SELECT typeof(opt_text) || ',' || typeof(opt_bytes) FROM everythings WHERE id = 1") ==
          "text,blob");
    CHECK(query_text(db, "SELECT color || ',' || level || ',' || plain || ',' || typeof(plain) FROM everythings WHERE id = 1") ==
          "blue,high,2,integer");
    CHECK(query_text(db, "SELECT hex(bytes) FROM everythings WHERE id = 1") == "00FF10");
    CHECK(query_text(db, "SELECT flag || ',' || u64 || ',' || i8 FROM everythings WHERE id = 1") ==
          "1,9223372036854775807,-128");
}

TEST_CASE("to_values and set_field/field_value agree with bind/read") {
    Everything e = full();
    const std::vector<covet::Value> values = covet::to_values(e);
    const covet::ModelInfo& info = covet::model_info<Everything>();
    REQUIRE(values.size() == info.columns.size());
    auto at = [&](const char* name) { return values[static_cast<std::size_t>(info.field(name) - info.columns.data())]; };
    CHECK(at("color") == covet::Value{std::string("blue")});
    CHECK(at("plain") == covet::Value{std::int64_t{2}});
    CHECK(at("when_ms") == covet::Value{std::string("2024-01-31 12:34:56.789")});
    CHECK(at("opt_int") == covet::Value{std::int64_t{42}});
    Everything back;
    for (std::size_t i = 0; i < values.size(); ++i) {
        covet::set_field(back, i, values[i]);
        CHECK(covet::field_value(back, i) == values[i]);
    }
    CHECK(same(back, e));
    CHECK(covet::to_value<&Everything::color>(Color::Green) == covet::Value{std::string("green")});
    CHECK(covet::to_value<&Everything::opt_int>(std::nullopt) == covet::Value{nullptr});
}

TEST_CASE("time points and dates are ISO-8601 text that SQLite's date functions accept") {
    Db db;
    create_table<Everything>(db);
    Everything e = full();
    e.when_ms = sys_days{2024y / January / 31} + 12h + 34min + 56s;  // no fraction: none written
    insert(db, e);
    CHECK(query_text(db, "SELECT when_seconds FROM everythings") == "2024-01-31 12:34:56");
    CHECK(query_text(db, "SELECT when_ms FROM everythings") == "2024-01-31 12:34:56");
    CHECK(query_text(db, "SELECT when_now FROM everythings") == "2024-02-29 01:02:03.123456789");
    CHECK(query_text(db, "SELECT day FROM everythings") == "2023-12-25");
    CHECK(query_text(db, "SELECT date FROM everythings") == "2024-01-31");
    CHECK(query_text(db, "SELECT opt_when FROM everythings") == "1969-07-20 20:17:00");
    CHECK(query_text(db, "SELECT opt_date FROM everythings") == "1900-03-01");
    // SQLite reads them.
    CHECK(query_text(db, "SELECT date(when_seconds) FROM everythings") == "2024-01-31");
    CHECK(query_text(db, "SELECT datetime(when_seconds, '+1 day') FROM everythings") == "2024-02-01 12:34:56");
    CHECK(query_text(db, "SELECT strftime('%Y-%m-%d %H:%M:%f', when_now) FROM everythings") == "2024-02-29 01:02:03.123");
    CHECK(query_text(db, "SELECT date(date, '+1 day') FROM everythings") == "2024-02-01");
    CHECK(query_text(db, "SELECT julianday(opt_date) IS NOT NULL FROM everythings") == "1");
    CHECK(query_text(db, "SELECT when_seconds < datetime('2024-01-31 12:34:57') FROM everythings") == "1");

    // Milliseconds keep three digits; what SQLite writes reads back.
    const auto ms = sys_days{2024y / January / 31} + 12h + 34min + 56s + 7ms;
    CHECK(covet::field_traits<sys_time<milliseconds>>::to_value(ms) == covet::Value{std::string("2024-01-31 12:34:56.007")});
    CHECK(covet::field_traits<sys_time<milliseconds>>::from_value(covet::Value{std::string("2024-01-31 12:34:56.007")}) == ms);
    CHECK(covet::field_traits<sys_seconds>::from_value(covet::Value{query_text(db, "SELECT datetime('2024-01-31 12:34:56')")}) ==
          sys_days{2024y / January / 31} + 12h + 34min + 56s);
    CHECK(covet::field_traits<sys_seconds>::from_value(covet::Value{std::string("2024-01-31T12:34")}) ==
          sys_days{2024y / January / 31} + 12h + 34min);
    CHECK(covet::field_traits<year_month_day>::from_value(covet::Value{std::string("2024-01-31")}) == 2024y / January / 31);
    CHECK(covet::field_traits<sys_seconds>::from_value(covet::Value{std::string("2024-01-31")}) ==
          sys_days{2024y / January / 31});
    CHECK_THROWS_AS(covet::field_traits<sys_seconds>::from_value(covet::Value{std::string("2024-02-30 00:00:00")}),
                    covet::ValidationError);
    CHECK_THROWS_AS(covet::field_traits<sys_seconds>::from_value(covet::Value{std::string("yesterday")}),
                    covet::ValidationError);
    CHECK_THROWS_AS(covet::field_traits<year_month_day>::to_value(2023y / February / 29), covet::ValidationError);
    // Negative times round down to the previous second.
    CHECK(covet::field_traits<sys_time<milliseconds>>::to_value(sys_time<milliseconds>{-1ms}) ==
          covet::Value{std::string("1969-12-31 23:59:59.999")});
}

TEST_CASE("enums: by name both ways, unknown names and values refused") {
    using ct = covet::field_traits<Color>;
    CHECK(ct::to_value(Color::Green) == covet::Value{std::string("green")});
    CHECK(ct::from_value(covet::Value{std::string("blue")}) == Color::Blue);
    CHECK_THROWS_AS(ct::from_value(covet::Value{std::string("purple")}), covet::ValidationError);
    CHECK_THROWS_AS(ct::to_value(static_cast<Color>(9)), covet::ValidationError);
    using lt = covet::field_traits<Level>;
    CHECK(lt::to_value(Level::Low) == covet::Value{std::string("low")});
    CHECK(lt::from_value(covet::Value{std::string("high")}) == Level::High);
    using pt = covet::field_traits<Plain>;
    CHECK(pt::to_value(One) == covet::Value{std::int64_t{1}});
    CHECK(pt::from_value(covet::Value{std::int64_t{2}}) == Two);

    Db db;
    create_table<Everything>(db);
    insert(db, full());
    db.exec("UPDATE everythings SET color = 'mauve'");
    CHECK_THROWS_AS(select_all<Everything>(db), covet::ValidationError);
}

TEST_CASE("integers: widths are range-checked, uint64 above INT64_MAX is refused") {
    using u64 = covet::field_traits<std::uint64_t>;
    const std::uint64_t big = std::uint64_t{1} << 63;
    CHECK_THROWS_AS(u64::to_value(big), covet::ValidationError);
    CHECK(u64::to_value(big - 1) == covet::Value{std::numeric_limits<std::int64_t>::max()});
    CHECK_THROWS_AS(u64::from_value(covet::Value{std::int64_t{-1}}), covet::ValidationError);
    CHECK_THROWS_AS(covet::field_traits<std::uint8_t>::from_value(covet::Value{std::int64_t{256}}), covet::ValidationError);
    CHECK_THROWS_AS(covet::field_traits<std::int8_t>::from_value(covet::Value{std::int64_t{-129}}), covet::ValidationError);
    CHECK(covet::field_traits<std::int8_t>::from_value(covet::Value{std::int64_t{-128}}) == -128);
    CHECK_THROWS_AS(covet::field_traits<std::int32_t>::from_value(covet::Value{std::string("1")}), covet::ValidationError);

    Db db;
    create_table<Everything>(db);
    Everything e = full();
    e.u64 = big;
    {
        Stmt stmt(db.db, "INSERT INTO everythings (id, u64) VALUES (?, ?)");
        CHECK_THROWS_AS(covet::bind_field(e, 7, stmt.stmt, 2), covet::ValidationError);
    }
    insert(db, full());
    db.exec("UPDATE everythings SET u8 = 300");
    CHECK_THROWS_AS(select_all<Everything>(db), covet::ValidationError);
    db.exec("UPDATE everythings SET u8 = 3, u64 = -1");
    CHECK_THROWS_AS(select_all<Everything>(db), covet::ValidationError);
    db.exec("UPDATE everythings SET u64 = 1, i32 = 'text'");
    CHECK_THROWS_AS(select_all<Everything>(db), covet::ValidationError);
    db.exec("UPDATE everythings SET i32 = 5");
    CHECK(select_all<Everything>(db).at(0).i32 == 5);
}

TEST_CASE("a nullable integer reads NULL as nullopt and refuses what its integer refuses, naming the column") {
    Db db;
    create_table<Everything>(db);
    insert(db, full());
    db.exec("UPDATE everythings SET opt_int = NULL");
    CHECK(select_all<Everything>(db).at(0).opt_int == std::nullopt);
    db.exec("UPDATE everythings SET opt_int = -7");
    CHECK(select_all<Everything>(db).at(0).opt_int == std::optional<std::int32_t>(-7));
    db.exec("UPDATE everythings SET opt_int = 'seven'");
    CHECK_THROWS_WITH_AS(select_all<Everything>(db), doctest::Contains("(opt_int) holds TEXT where an integer was expected"),
                         covet::ValidationError);
    db.exec("UPDATE everythings SET opt_int = 1.5");
    CHECK_THROWS_WITH_AS(select_all<Everything>(db), doctest::Contains("(opt_int) holds REAL where an integer was expected"),
                         covet::ValidationError);
    db.exec("UPDATE everythings SET opt_int = 3000000000");
    CHECK_THROWS_WITH_AS(select_all<Everything>(db),
                         doctest::Contains("(opt_int): 3000000000 does not fit in the field's type [-2147483648, 2147483647]"),
                         covet::ValidationError);
}

TEST_CASE("NULL in a non-optional column is refused") {
    Db db;
    db.exec("CREATE TABLE everythings AS SELECT 1 AS id");
    for (int i = 1; i < 28; ++i) {
        db.exec("ALTER TABLE everythings ADD COLUMN c" + std::to_string(i));
    }
    CHECK_THROWS_AS(select_all<Everything>(db), covet::ValidationError);
}
