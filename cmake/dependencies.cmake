# Every dependency comes from a Debian 12 package installed by tools/install-deps.sh.
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(cereal REQUIRED)
find_package(Threads REQUIRED)
# The log's values are zstd frames with a dictionary (docs/storage.md); libzstd-dev ships a package.
find_package(zstd 1.5 REQUIRED CONFIG)

# liblmdb-dev ships no CMake package; wrap it in an imported target once, here.
find_path(LMDB_INCLUDE_DIR lmdb.h REQUIRED)
find_library(LMDB_LIBRARY lmdb REQUIRED)
add_library(lmdb::lmdb UNKNOWN IMPORTED)
set_target_properties(lmdb::lmdb PROPERTIES
    IMPORTED_LOCATION "${LMDB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LMDB_INCLUDE_DIR}")
