#include "modules.hpp"
namespace covet::ext { int register_check_vtab(sqlite3*) { return SQLITE_OK; } }
