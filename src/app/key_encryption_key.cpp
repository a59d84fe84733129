#include "ledger/app/key_encryption_key.hpp"

#include "ledger/aes_gcm.hpp"
#include "ledger/sha256.hpp"

#include <openssl/crypto.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ledger::app {
namespace {

constexpr std::string_view wrap_magic = "RLK1";

std::string associated_data(std::string_view subject, std::string_view kek_id) {
    std::string aad = "recruit-ledger/subject-key/v1\n";
    aad.append(subject).append("\n").append(kek_id);
    return aad;
}

std::string derive_id(std::string_view kek) {
    std::string labelled = "recruit-ledger/kek-id/v1\n";
    labelled.append(kek);
    auto const digest = sha256(labelled);
    return std::string(reinterpret_cast<char const*>(digest.data()), kek_id_size);
}

/// Whether `inner` is `outer` or lies below it (both made absolute and free of symlinks and
/// dot segments as far as they exist).
bool is_within(std::filesystem::path const& inner, std::filesystem::path const& outer) {
    std::error_code ignored;
    auto const a = std::filesystem::weakly_canonical(std::filesystem::absolute(inner), ignored);
    auto const b = std::filesystem::weakly_canonical(std::filesystem::absolute(outer), ignored);
    auto const [stop, _] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
    return stop == b.end() || (std::next(stop) == b.end() && stop->empty());
}

std::string system_error(std::string const& what, std::filesystem::path const& file) {
    return what + " " + file.string() + ": " + std::strerror(errno);
}

}  // namespace

key_encryption_key::key_encryption_key(std::string bytes) : bytes_(std::move(bytes)) {
    if (bytes_.size() != kek_size) {
        throw key_refusal("a key-encryption key is exactly 32 bytes, not " +
                          std::to_string(bytes_.size()));
    }
    id_ = derive_id(bytes_);
}

key_encryption_key::~key_encryption_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

key_encryption_key key_encryption_key::load(std::filesystem::path const& file,
                                            std::filesystem::path const& data_directory) {
    if (is_within(file, data_directory)) {
        throw key_refusal("the key-encryption key " + file.string() +
                          " is inside the data directory " + data_directory.string() +
                          "; keep it elsewhere, or a copy of the directory holds both the data "
                          "and its key");
    }
    struct stat status {};
    if (::stat(file.c_str(), &status) != 0) throw key_refusal(system_error("cannot read", file));
    if (!S_ISREG(status.st_mode)) throw key_refusal(file.string() + " is not a regular file");
    if ((status.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
        throw key_refusal("the key-encryption key " + file.string() + " has mode " + mode +
                          ": group or others may access it; make it readable by the service "
                          "only (chmod 600 " + file.string() + ")");
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && !in) throw key_refusal(system_error("cannot read", file));
    if (bytes.size() != kek_size) {
        auto const size = bytes.size();
        OPENSSL_cleanse(bytes.data(), bytes.size());
        throw key_refusal(file.string() + " holds " + std::to_string(size) +
                          " bytes; a key-encryption key is exactly 32 (make one with "
                          "recruit-ledger keys init --kek FILE)");
    }
    return key_encryption_key(std::move(bytes));  // the buffer moves; the KEK cleanses it
}

key_encryption_key key_encryption_key::create(std::filesystem::path const& file) {
    int const fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            throw key_refusal(file.string() + " exists; a key-encryption key is never overwritten");
        }
        throw key_refusal(system_error("cannot create", file));
    }
    key_encryption_key kek(random_bytes(kek_size));
    auto const& bytes = kek.bytes_;
    bool const written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        std::filesystem::remove(file);
        throw key_refusal(system_error("cannot write", file));
    }
    // The directory entry must be durable too, or a crash could lose the only copy of the key.
    auto const parent = std::filesystem::absolute(file).parent_path();
    if (int const dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return kek;
}

std::string key_encryption_key::id_hex() const { return kek_id_hex(id_); }

std::string key_encryption_key::wrap(std::string_view subject, std::string_view key) const {
    std::string out(wrap_magic);
    out += id_;
    out += aes_gcm_seal(bytes_, key, associated_data(subject, id_));
    return out;
}

std::optional<std::string> key_encryption_key::unwrap(std::string_view subject,
                                                      std::string_view wrapped) const {
    auto const id = wrapped_key_kek_id(wrapped);
    if (!id || *id != id_) return std::nullopt;
    return aes_gcm_open(bytes_, wrapped.substr(wrap_magic.size() + kek_id_size),
                        associated_data(subject, id_));
}

std::optional<std::string> wrapped_key_kek_id(std::string_view stored) {
    if (stored.size() != wrapped_key_size || !stored.starts_with(wrap_magic)) return std::nullopt;
    return std::string(stored.substr(wrap_magic.size(), kek_id_size));
}

std::string kek_id_hex(std::string_view id) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char const c : id) {
        auto const byte = static_cast<unsigned char>(c);
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

}  // namespace ledger::app
