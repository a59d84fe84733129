// bench-commit_pages: which pages the newest commit of an LMDB file wrote, by table.
//
//   bench-commit_pages DATA.mdb
//
// LMDB keeps two meta pages, the newest commit's and the one before; it copies on write, and a
// page the newest commit freed is not reused before the commit after it. So the pages reachable
// from the newest meta page that the older one does not reach are exactly the pages that commit
// wrote (plus the meta page itself). Walks both trees (the free-page table, the main table and
// every named table, a sorted-duplicates table's sub-trees counted with it, overflow pages
// included) and prints one row per table: `<table>_pages <TAB> n <TAB> pages` (bench_report.hpp).
//
// How to catch a commit in the middle of a run: start `bench-store_append --only group --keep 1
// --seconds 20 --dir D`, `kill -9` it after a few seconds, then run this on D/ledger-*/data.mdb
// (a kill leaves the last two commits intact; the run's own last commits are its tail, smaller).
// Reads the file only (pread); never run it on a file a process is writing.
//
// Layout read here: LMDB 0.9's on-disk format, 64-bit (lmdb.h / mdb.c: MDB_page, MDB_meta,
// MDB_db, MDB_node). Errors: exits 1 with a message for a file that is not such a file.

#include "bench_report.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::uint16_t p_branch = 0x01, p_overflow = 0x04, p_leaf2 = 0x20;
constexpr std::uint16_t f_bigdata = 0x01, f_subdata = 0x02;
constexpr std::uint32_t mdb_magic = 0xBEEFC0DE;
constexpr std::uint64_t no_page = ~std::uint64_t{0};
constexpr std::size_t page_header = 16, meta_offset = page_header, db_record = 48;

template <class T>
T load(std::string const& bytes, std::size_t at) {
    if (at + sizeof(T) > bytes.size()) throw std::runtime_error("a record runs past its page");
    T value;
    std::memcpy(&value, bytes.data() + at, sizeof(T));
    return value;
}

class lmdb_file {
public:
    explicit lmdb_file(char const* path) : in_(path, std::ios::binary) {
        if (!in_) throw std::runtime_error(std::string("cannot open ") + path);
        auto const first = read(0, 4096);
        if (load<std::uint32_t>(first, meta_offset) != mdb_magic) throw std::runtime_error("not an LMDB file");
        page_size_ = load<std::uint32_t>(first, meta_offset + 24);  // the free table's md_pad
        if (page_size_ < 512 || page_size_ > 65536) throw std::runtime_error("implausible page size");
    }

    std::string page(std::uint64_t number) { return read(number * page_size_, page_size_); }

    struct meta {
        std::uint64_t txnid = 0, free_root = no_page, main_root = no_page;
    };
    meta read_meta(int which) {
        auto const bytes = page(static_cast<std::uint64_t>(which));
        std::size_t const dbs = meta_offset + 24;
        return {.txnid = load<std::uint64_t>(bytes, dbs + 2 * db_record + 8),
                .free_root = load<std::uint64_t>(bytes, dbs + 40),
                .main_root = load<std::uint64_t>(bytes, dbs + db_record + 40)};
    }

private:
    std::string read(std::uint64_t offset, std::size_t size) {
        std::string bytes(size, '\0');
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(bytes.data(), static_cast<std::streamsize>(size));
        if (in_.gcount() != static_cast<std::streamsize>(size)) throw std::runtime_error("the file ends inside a page");
        return bytes;
    }
    std::ifstream in_;
    std::uint32_t page_size_ = 4096;
};

// page number -> the table it belongs to, for every page a tree reaches.
using page_owners = std::map<std::uint64_t, std::string>;

void walk(lmdb_file& file, std::uint64_t root, std::string const& table, bool is_main, page_owners& owners) {
    if (root == no_page) return;
    std::vector<std::uint64_t> stack{root};
    while (!stack.empty()) {
        auto const number = stack.back();
        stack.pop_back();
        if (!owners.emplace(number, table).second) continue;
        auto const bytes = file.page(number);
        auto const flags = load<std::uint16_t>(bytes, 10);
        if (flags & p_overflow) {
            auto const pages = load<std::uint32_t>(bytes, 12);
            for (std::uint32_t k = 1; k < pages; ++k) owners.emplace(number + k, table);
            continue;
        }
        if (flags & p_leaf2) continue;
        auto const lower = load<std::uint16_t>(bytes, 12);
        for (std::size_t slot = page_header; slot + 2 <= lower; slot += 2) {
            auto const node = load<std::uint16_t>(bytes, slot);
            auto const lo = load<std::uint16_t>(bytes, node), hi = load<std::uint16_t>(bytes, node + 2);
            auto const node_flags = load<std::uint16_t>(bytes, node + 4);
            auto const key_size = load<std::uint16_t>(bytes, node + 6);
            if (flags & p_branch) {
                stack.push_back(lo | std::uint64_t{hi} << 16 | std::uint64_t{node_flags} << 32);
                continue;
            }
            std::size_t const data = std::size_t{node} + 8 + key_size;
            if (node_flags & f_bigdata) {
                stack.push_back(load<std::uint64_t>(bytes, data));
            } else if (node_flags & f_subdata) {
                // The main table names a table; any other table's node is a key's duplicates.
                auto const name = is_main ? bytes.substr(std::size_t{node} + 8, key_size) : table;
                walk(file, load<std::uint64_t>(bytes, data + 40), name, false, owners);
            }
        }
    }
}

page_owners tree(lmdb_file& file, lmdb_file::meta const& m) {
    page_owners owners;
    walk(file, m.free_root, "free", false, owners);
    walk(file, m.main_root, "main", true, owners);
    return owners;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench-commit_pages DATA.mdb\n");
        return 2;
    }
    lmdb_file file(argv[1]);
    auto const a = file.read_meta(0), b = file.read_meta(1);
    auto const& newest = a.txnid > b.txnid ? a : b;
    auto const& older = a.txnid > b.txnid ? b : a;
    auto const now = tree(file, newest), before = tree(file, older);
    std::map<std::string, int> written;
    int total = 1;  // the meta page
    for (auto const& [number, table] : now) {
        if (!before.contains(number)) {
            ++written[table];
            ++total;
        }
    }
    bench::note("commit %llu (the one before: %llu): pages written, by table, and the meta page",
                static_cast<unsigned long long>(newest.txnid), static_cast<unsigned long long>(older.txnid));
    for (auto const& [table, pages] : written) bench::row(table + "_pages", pages, "pages");
    bench::row("meta_page", 1, "pages");
    bench::row("commit_pages", total, "pages");
    return 0;
} catch (std::exception const& e) {
    std::fprintf(stderr, "bench-commit_pages: %s\n", e.what());
    return 1;
}
