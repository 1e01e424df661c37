// covet's benchmark (issue 6). Each workload of workloads.hpp runs through covet's C++ API and
// through hand-written SQL on the sqlite3 C API, in this process, on one generated dataset file,
// alternating the two sides run by run; Django runs the same workloads (bench/django/run.py) when
// python3-django is installed. Prints a markdown table: medians, ratio covet/raw (the median of
// the ratios of the runs taken back to back), statements.
//
//   build/bench/bench                         full dataset: 1,000 authors, 100,000 books, 300,000 links
//   build/bench/bench --quick                 small dataset, a few seconds: checks that every side returns
//                                             raw's results, times nothing (the test suite runs this)
//   build/bench/bench --json results.json     also writes the rows as JSON ("-": standard output)
//   build/bench/bench --svg docs/performance.svg   also draws the ratios and targets as an SVG chart
//
// More options: --runs N (timed runs per side after one warm-up; 7, or 3 with --quick),
// --only W2,W6,M (workloads W1..W7, M, C), --db PATH (write the dataset there and keep it, and
// covet's copy in the directory PATH.covet: --only-rss W3 covet --db PATH.covet/dataset.db),
// --no-django, --compile FILE (C's translation unit; default bench/compile/four_models.cpp).
// M runs this program again for each measure: --only-rss W2 covet|raw --db PATH [--quick].
//
// Exit status 1 when a side fails or returns other results than raw's.
#include "dataset.hpp"
#include "report.hpp"
#include "sqlite.hpp"
#include "workloads.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#ifndef COVET_SOURCE_DIR
#error "COVET_SOURCE_DIR (the project's source directory) must be defined: see bench/meson.build"
#endif
#ifndef COVET_PYTHON
#define COVET_PYTHON "python3"
#endif

namespace bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    bool quick = false;
    int runs = 0;  // 0: the default for the dataset
    std::optional<fs::path> json, svg, db;
    std::set<std::string> only;  // empty: every workload
    bool django = true;
    fs::path compile_unit = fs::path(COVET_SOURCE_DIR) / "bench/compile/four_models.cpp";
    std::optional<std::pair<std::string, std::string>> rss_child;  // hidden: M's child (workload, side)

    bool selected(const std::string& id) const { return only.empty() || only.contains(id); }
};

[[noreturn]] void usage_error(const std::string& message) {
    throw std::invalid_argument(message + " (see the top of bench/bench.cpp for the options)");
}

Options parse_options(int argc, char** argv) {
    Options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&] {
            if (i + 1 >= args.size()) usage_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--quick")
            options.quick = true;
        else if (args[i] == "--runs")
            options.runs = std::stoi(value());
        else if (args[i] == "--json")
            options.json = value();
        else if (args[i] == "--svg")
            options.svg = value();
        else if (args[i] == "--db")
            options.db = value();
        else if (args[i] == "--no-django")
            options.django = false;
        else if (args[i] == "--compile")
            options.compile_unit = value();
        else if (args[i] == "--only") {
            std::istringstream list(value());
            for (std::string id; std::getline(list, id, ',');) options.only.insert(id);
        } else if (args[i] == "--only-rss") {
            std::string id = value();
            options.rss_child = {id, value()};
        } else
            usage_error("unknown argument " + args[i]);
    }
    for (const std::string& id : options.only)
        if (!std::set<std::string>{"W1", "W2", "W3", "W4", "W5", "W6", "W7", "M", "C"}.contains(id))
            usage_error("unknown workload " + id);
    if (options.runs == 0) options.runs = options.quick ? 3 : 7;
    if (options.runs < 1) usage_error("--runs must be at least 1");
    return options;
}

struct Workload {
    std::string id, what;
    double target;  // covet/raw
    SideFactory raw, covet;
};

std::vector<Workload> workloads(const Sizes& s) {
    return {
        {"W1", fmt::format("create {} books with their categories", thousands(s.books)), 1.10, raw_w1_create_books,
         covet_w1_create_books},
        {"W2", "iterate all books, select_related author and profile", 1.10, raw_w2_select_related,
         covet_w2_select_related},
        {"W3", fmt::format("prefetch categories of {} books", thousands(s.w3_books)), 1.10, raw_w3_prefetch_categories,
         covet_w3_prefetch_categories},
        {"W4", fmt::format("prefetch books of all {} authors", thousands(s.authors)), 1.10, raw_w4_prefetch_books,
         covet_w4_prefetch_books},
        {"W5", fmt::format("lazy-load the author of {} books (N+1)", thousands(s.w5_books)), 1.30, raw_w5_lazy_author,
         covet_w5_lazy_author},
        {"W6", fmt::format("delete {} authors with their cascade", thousands(s.w6_authors)), 1.00,
         raw_w6_cascade_delete, covet_w6_cascade_delete},
        {"W7", "cross-relation filter, distinct", 1.05, raw_w7_cross_relation_filter, covet_w7_cross_relation_filter},
    };
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// ------------------------------------------------------------------------------ checking results

struct Failures {
    std::vector<std::string> messages;
    void add(Row& row, const std::string& message) {
        row.notes.push_back("FAILED: " + message);
        messages.push_back(row.id + ": " + message);
    }
};

// Rows, checksum and per-table counts, a table counted 0 being the same as one absent.
bool same_result(const Outcome& a, const Outcome& b) {
    auto counted = [](const Outcome& o) {
        std::map<std::string, std::int64_t> tables;
        for (const auto& [table, n] : o.per_table)
            if (n != 0) tables.emplace(table, n);
        return tables;
    };
    return a.rows == b.rows && a.checksum == b.checksum && counted(a) == counted(b);
}

std::string describe(const Outcome& o) {
    std::string text = fmt::format("rows {}, checksum {}", o.rows, o.checksum);
    for (const auto& [table, n] : o.per_table) text += fmt::format(", {} {}", table, n);
    return text;
}

void expect_same(Row& row, Failures& failures, const std::string& who, const Outcome& got, const Outcome& raw) {
    if (!same_result(got, raw))
        failures.add(row, fmt::format("{} returned {}; raw: {}", who, describe(got), describe(raw)));
}

// ------------------------------------------------------------------------------ child processes

// ru_maxrss caveat: Linux counts in a child's peak the memory of the process it was exec'ed from,
// here a copy of this process (or this process itself: posix_spawn shares it until the exec). So
// peak_mb is max(our RSS at the spawn, the child's peak): right for the compiler, measured first
// while we are small; M's child reports its own peak instead (VmHWM).
struct ChildResult {
    int exit_code = -1;  // -1: it could not start, or was killed
    double seconds = 0;  // wall time
    double peak_mb = 0;  // ru_maxrss of the child and its descendants
    std::string output;  // its standard output (standard error is ours)
};

ChildResult run_child(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    ChildResult result;
    auto start = Clock::now();
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (spawned == 0) {
        char buffer[4096];
        for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
            if (n > 0)
                result.output.append(buffer, static_cast<std::size_t>(n));
            else if (errno != EINTR)
                break;
        }
        int status = 0;
        rusage usage{};
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
        result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        result.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024;  // ru_maxrss is in KiB
    }
    close(pipe_fds[0]);
    return result;
}

constexpr int exit_not_implemented = 3;  // M's child: covet's side does not exist yet

// This process's peak resident memory since its exec (not polluted like ru_maxrss, see above).
double peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024;  // "VmHWM:   6652 kB"
    throw std::runtime_error("no VmHWM in /proc/self/status");
}

// The hidden child of M: one run of one side of a read workload, in a fresh process; prints
// "rows checksum statements peak_rss_mb".
int run_rss_child(const Options& options) {
    const auto& [id, side_name] = *options.rss_child;
    Sizes sizes = options.quick ? quick_sizes() : full_sizes();
    std::vector<Workload> all = workloads(sizes);
    auto workload = std::find_if(all.begin(), all.end(), [&](const Workload& w) { return w.id == id; });
    if (workload == all.end() || (side_name != "covet" && side_name != "raw") || !options.db)
        usage_error("--only-rss needs a workload, covet or raw, and --db");
    try {
        std::unique_ptr<Side> side = (side_name == "covet" ? workload->covet : workload->raw)(
            Setup{.sizes = sizes, .dataset = *options.db, .without_books = {}, .scratch = {}});
        side->reset();
        Outcome outcome = side->run();
        fmt::print("{} {} {} {}\n", outcome.rows, outcome.checksum, outcome.statements, peak_rss_mb());
        return 0;
    } catch (const NotImplemented&) {
        return exit_not_implemented;
    }
}

// ------------------------------------------------------------------------------ Django

struct DjangoResult {
    double seconds = 0;
    std::int64_t statements = 0;
    Outcome outcome;
};
using DjangoResults = std::map<std::string, DjangoResult>;

// Reads run.py's JSON with SQLite's JSON functions (the only JSON parser at hand).
DjangoResults parse_django_json(const std::string& json) {
    Connection db(":memory:");
    Statement results = db.prepare(
        "SELECT value->>'id', value->>'seconds', value->>'statements', value->>'rows', value->>'checksum',"
        " value->>'per_table' FROM json_each(?1)");
    Statement tables = db.prepare("SELECT key, value FROM json_each(?1)");
    DjangoResults parsed;
    results.bind(1, json);
    while (results.step()) {
        DjangoResult& r = parsed[results.string(0)];
        r.seconds = results.real(1);
        r.statements = results.int64(2);
        r.outcome = {
            .rows = results.int64(3), .checksum = results.int64(4), .per_table = {}, .statements = r.statements};
        std::string per_table = results.is_null(5) ? "{}" : results.string(5);
        tables.bind(1, per_table);
        while (tables.step()) r.outcome.per_table[tables.string(0)] = tables.int64(1);
    }
    return parsed;
}

std::string params_json(const Sizes& s) {
    return fmt::format(
        R"({{"authors": {}, "categories": {}, "books": {}, "w3_books": {}, "w5_books": {}, "w6_authors": {}, )"
        R"("w7_email_part": {}, "w7_category": {}}})",
        s.authors, s.categories, s.books, s.w3_books, s.w5_books, s.w6_authors, json_string(s.w7_email_part),
        json_string(s.w7_category));
}

// Runs bench/django/run.py on the dataset when Python has Django; notes why not otherwise.
DjangoResults run_django(const Options& options, const Sizes& sizes, const fs::path& dataset, const fs::path& work,
                         std::vector<std::string>& notes, Failures& failures) {
    std::vector<std::string> ids;
    for (const Workload& w : workloads(sizes))
        if (options.selected(w.id)) ids.push_back(w.id);
    if (!options.django || ids.empty()) return {};
    if (run_child({COVET_PYTHON, "-c", "import django"}).exit_code != 0) {
        notes.push_back(fmt::format("Django: not measured, {} cannot import django (apt-get install python3-django)",
                                    COVET_PYTHON));
        return {};
    }
    fs::create_directories(work);
    fmt::print(stderr, "bench: Django ({})\n", fmt::join(ids, ", "));
    ChildResult child =
        run_child({COVET_PYTHON, COVET_SOURCE_DIR "/bench/django/run.py", "--db", dataset.string(), "--work",
                   work.string(), "--params", params_json(sizes), "--runs", std::to_string(options.runs), "--only",
                   fmt::format("{}", fmt::join(ids, ",")), "--json", "-"});
    if (child.exit_code != 0) {
        failures.messages.push_back(fmt::format("Django: run.py exited with status {}", child.exit_code));
        return {};
    }
    return parse_django_json(child.output);
}

// ------------------------------------------------------------------------------ measuring

// covet's own copies of the two dataset files, or why there are none.
struct CovetSetup {
    std::optional<Setup> setup;
    std::string missing;  // the covet cells without setup
};

// Runs f, a call into covet's side, turning an exception into the row's covet cell: NotImplemented
// quietly, anything else as a failure. False when f threw: the row goes on without covet.
template <class F>
bool covet_attempt(Row& row, Failures& failures, F f) {
    try {
        f();
        return true;
    } catch (const NotImplemented&) {
        row.covet_missing = "not implemented yet";
    } catch (const std::exception& e) {
        row.covet_missing = "failed";
        failures.add(row, fmt::format("covet: {}", e.what()));
    }
    return false;
}

// One timed run: reset (untimed), run (timed). Returns the milliseconds.
double timed_run(Side& side, Row& row, Failures& failures, const std::string& who, const Outcome& expected) {
    side.reset();
    auto start = Clock::now();
    Outcome outcome = side.run();
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    expect_same(row, failures, who + " (timed run)", outcome, expected);
    return ms;
}

Row measure(const Workload& w, const Setup& raw_setup, const CovetSetup& covet_setup, int runs,
            const DjangoResults& django, Failures& failures) {
    Row row(w.id, w.what, "ms", w.target);
    fmt::print(stderr, "bench: {} {}\n", w.id, w.what);
    std::unique_ptr<Side> raw = w.raw(raw_setup);
    std::unique_ptr<Side> covet;
    if (covet_setup.setup)
        covet_attempt(row, failures, [&] { covet = w.covet(*covet_setup.setup); });
    else
        row.covet_missing = covet_setup.missing;
    auto with_covet = [&](auto f) {
        if (covet && !covet_attempt(row, failures, [&] { f(*covet); })) covet.reset();
    };

    // Warm-up: also the results every later run must repeat.
    raw->reset();
    const Outcome expected = raw->run();
    row.statements_raw = expected.statements;
    Outcome covet_first;
    with_covet([&](Side& side) {
        side.reset();
        covet_first = side.run();
        row.statements_covet = covet_first.statements;
        expect_same(row, failures, "covet", covet_first, expected);
    });

    std::vector<double> raw_ms, covet_ms;
    for (int i = 0; i < runs; ++i) {
        auto run_covet = [&] {
            with_covet([&](Side& side) { covet_ms.push_back(timed_run(side, row, failures, "covet", covet_first)); });
        };
        if (i % 2 == 0) run_covet();  // alternate which side goes first
        raw_ms.push_back(timed_run(*raw, row, failures, "raw", expected));
        if (i % 2 == 1) run_covet();
    }
    row.raw = median(raw_ms);
    if (covet) {
        row.covet = median(covet_ms);
        // The ratio of each covet run to the raw run next to it in time, then their median: a slow
        // spell of the shared machine lands on both runs of a pair, and a pair falls out of the
        // median, where it would move one side's median alone.
        std::vector<double> ratios;
        for (std::size_t i = 0; i < covet_ms.size() && i < raw_ms.size(); ++i)
            if (raw_ms[i] > 0) ratios.push_back(covet_ms[i] / raw_ms[i]);
        if (!ratios.empty()) row.paired_ratio = median(ratios);
    }

    if (auto d = django.find(w.id); d != django.end()) {
        row.django = d->second.seconds * 1000;
        row.statements_django = d->second.statements;
        expect_same(row, failures, "Django", d->second.outcome, expected);
    }
    return row;
}

// What M's child printed, or nothing when it failed.
struct RssChildReport {
    Outcome outcome;
    double peak_mb = 0;
};
std::optional<RssChildReport> rss_child_report(const ChildResult& result) {
    RssChildReport report;
    Outcome& o = report.outcome;
    std::istringstream output(result.output);
    if (result.exit_code != 0 || !(output >> o.rows >> o.checksum >> o.statements >> report.peak_mb))
        return std::nullopt;
    return report;
}

// M: peak RSS of W2 in a fresh process, each side in a child of its own, alternately.
Row measure_memory(const Options& options, const Setup& raw_setup, const CovetSetup& covet_setup, Failures& failures) {
    Row row("M", "peak RSS of W2 in a fresh process", "MB", 1.20);
    fmt::print(stderr, "bench: M {}\n", row.what);
    std::string self = fs::read_symlink("/proc/self/exe").string();
    auto run_side = [&](const char* side, const fs::path& dataset) {
        std::vector<std::string> argv = {self, "--only-rss", "W2", side, "--db", dataset.string()};
        if (options.quick) argv.push_back("--quick");
        return run_child(argv);
    };
    bool with_covet = covet_setup.setup.has_value();
    row.covet_missing = covet_setup.missing;
    std::vector<double> raw_peaks, covet_peaks;
    for (int i = 0; i < options.runs; ++i) {
        ChildResult raw_child = run_side("raw", raw_setup.dataset);
        std::optional<RssChildReport> raw = rss_child_report(raw_child);
        if (!raw) {
            failures.add(row, fmt::format("the raw child exited with status {}", raw_child.exit_code));
            return row;
        }
        raw_peaks.push_back(raw->peak_mb);
        row.statements_raw = raw->outcome.statements;
        if (!with_covet) continue;
        ChildResult covet_child = run_side("covet", covet_setup.setup->dataset);
        std::optional<RssChildReport> covet = rss_child_report(covet_child);
        if (!covet) {
            with_covet = false;
            if (covet_child.exit_code == exit_not_implemented) continue;
            row.covet_missing = "failed";
            failures.add(row, fmt::format("the covet child exited with status {}", covet_child.exit_code));
            continue;
        }
        covet_peaks.push_back(covet->peak_mb);
        row.statements_covet = covet->outcome.statements;
        expect_same(row, failures, "covet", covet->outcome, raw->outcome);
    }
    row.raw = median(raw_peaks);
    if (with_covet) row.covet = median(covet_peaks);
    return row;
}

// C: compile time and compiler memory of a translation unit with the four models and one query of
// each kind, at -O0, the compiler running as a child.
Row measure_compile(const Options& options, Failures& failures) {
    Row row("C", "compile " + options.compile_unit.filename().string() + " at -O0 (time, compiler memory)", "s", 5,
            false);
    if (!fs::exists(options.compile_unit)) {
        row.covet_missing = "skipped";
        row.notes.push_back(fmt::format("{} does not exist yet: not measured", options.compile_unit.string()));
        return row;
    }
    fmt::print(stderr, "bench: C {}\n", row.what);
    std::vector<std::string> argv = {"c++",
                                     "-std=c++20",
                                     "-O0",
                                     "-I" COVET_SOURCE_DIR "/cpp/include",
                                     "-I" COVET_SOURCE_DIR "/ext/include",
                                     "-c",
                                     options.compile_unit.string(),
                                     "-o",
                                     "/dev/null"};
    // --quick only checks that it compiles: one run, no warm-up.
    int runs = options.quick ? 1 : options.runs + 1;
    std::vector<double> seconds, peaks;
    for (int i = 0; i < runs; ++i) {
        ChildResult result = run_child(argv);
        if (result.exit_code != 0) {
            failures.add(row, fmt::format("c++ exited with status {}", result.exit_code));
            return row;
        }
        if (i == 0 && runs > 1) continue;  // the warm-up
        seconds.push_back(result.seconds);
        peaks.push_back(result.peak_mb);
    }
    row.covet = median(seconds);
    row.covet_peak_mb = median(peaks);
    return row;
}

// ------------------------------------------------------------------------------ the benchmark

// A temporary directory for the dataset's copies, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "covet-bench-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Builds covet's own copies of the two dataset files (covet_build_database).
CovetSetup covet_setup(const Setup& raw, const fs::path& dir, Failures& failures) {
    Setup covet{
        .sizes = raw.sizes, .dataset = dir / "dataset.db", .without_books = dir / "without-books.db", .scratch = dir};
    fs::create_directories(dir);
    try {
        covet_build_database(raw.dataset, covet.dataset);
        covet_build_database(raw.without_books, covet.without_books);
        return {covet, ""};
    } catch (const NotImplemented&) {
        return {std::nullopt, "not implemented yet"};
    } catch (const std::exception& e) {
        failures.messages.push_back(fmt::format("covet_build_database: {}", e.what()));
        return {std::nullopt, "failed"};
    }
}

void write_file(const fs::path& path, const std::string& text) {
    if (path == "-") {
        fmt::print("{}", text);
        return;
    }
    std::FILE* file = std::fopen(path.c_str(), "w");
    if (!file) throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
    fmt::print(file, "{}", text);
    std::fclose(file);
}

int run_benchmark(const Options& options) {
    Failures failures;
    std::optional<Row> compile;  // first, while this process is small (see ChildResult)
    if (options.selected("C")) compile = measure_compile(options, failures);

    TempDir temp;
    Sizes sizes = options.quick ? quick_sizes() : full_sizes();
    Setup raw{.sizes = sizes,
              .dataset = options.db.value_or(temp.path() / "dataset.db"),
              .without_books = temp.path() / "without-books.db",
              .scratch = temp.path() / "raw"};
    fs::create_directories(raw.scratch);
    fmt::print(stderr, "bench: writing the dataset ({})\n", raw.dataset.string());
    write_dataset(raw.dataset, sizes, Schema::plain, Books::included);
    write_dataset(raw.without_books, sizes, Schema::plain, Books::left_out);

    std::vector<std::string> notes;
    // With --db, covet's copy is kept beside it, for --only-rss and profilers.
    const fs::path covet_dir = options.db ? fs::path(options.db->string() + ".covet") : temp.path() / "covet";
    CovetSetup covet = covet_setup(raw, covet_dir, failures);
    DjangoResults django = run_django(options, sizes, raw.dataset, temp.path() / "django", notes, failures);

    std::vector<Row> rows;
    for (const Workload& w : workloads(sizes))
        if (options.selected(w.id)) rows.push_back(measure(w, raw, covet, options.runs, django, failures));
    if (options.selected("M")) rows.push_back(measure_memory(options, raw, covet, failures));
    if (compile) rows.push_back(*compile);

    fmt::print("{}", markdown_table(rows));
    for (const std::string& note : notes) fmt::print("- {}\n", note);
    if (options.json) write_file(*options.json, json_report(rows));
    if (options.svg) write_file(*options.svg, svg_chart(rows));
    for (const std::string& message : failures.messages) fmt::print(stderr, "bench: FAILED: {}\n", message);
    return failures.messages.empty() ? 0 : 1;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
    try {
        bench::Options options = bench::parse_options(argc, argv);
        return options.rss_child ? bench::run_rss_child(options) : bench::run_benchmark(options);
    } catch (const std::exception& e) {
        fmt::print(stderr, "bench: {}\n", e.what());
        return 1;
    }
}
