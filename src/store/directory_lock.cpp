#include "detail/directory_lock.hpp"

#include "ledger/store/event_store.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace ledger::store::detail {

directory_lock::directory_lock(std::filesystem::path const& directory) {
    std::filesystem::create_directories(directory);
    auto const path = directory / "writer.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    int const failure = errno;
    ::close(fd_);
    if (failure == EWOULDBLOCK) {
        throw directory_locked("the ledger at " + directory.string() +
                               " is in use by another process (a running recruit-ledgerd, an "
                               "import or a demo); stop it first, or use its HTTP API");
    }
    throw std::system_error(failure, std::generic_category(), "cannot lock " + path.string());
}

directory_lock::~directory_lock() { ::close(fd_); }

}  // namespace ledger::store::detail
