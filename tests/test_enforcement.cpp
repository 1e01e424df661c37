#include "support.hpp"

using namespace covet::test;

TEST_CASE("placeholder") { Db db; CHECK(db.value("SELECT covet_version()") == "0.1.0"); }
