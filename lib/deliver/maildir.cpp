#include "deliver/maildir.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "log/log.hpp"

namespace orou::deliver {

void ensure_maildir(const std::string& dir, Writer& writer) {
    if (ensure_dir(dir)) sync_dir(writer, parent_dir(dir));
    bool created = false;
    for (const char* sub : {"/tmp", "/new", "/cur"}) created |= ensure_dir(dir + sub, false);
    if (created) sync_dir(writer, dir);
}

std::string unique_name(std::string_view hostname) {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    std::string host;
    for (char c : hostname) {
        if (c == '/') host += "\\057";
        else if (c == ':') host += "\\072";
        else host += c;
    }
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) + "P" + std::to_string(::getpid()) + "R" +
           log::new_id() + "." + host;
}

std::string deliver_maildir(const std::string& dir, const Entry& text, Writer& writer, std::string_view hostname) {
    ensure_maildir(dir, writer);
    const std::string name = unique_name(hostname);
    const std::string tmp_path = dir + "/tmp/" + name;
    SignalBlock no_kill_while_writing;
    Fd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw SysError("create " + tmp_path, errno);
    PendingFile file(tmp_path);
    text.write(writer, fd.get());
    writer.sync(fd.get());
    fd.reset();
    file.rename_to(dir + "/new/" + name);
    sync_dir(writer, dir + "/new");
    sync_dir(writer, dir + "/tmp");
    std::string delivered = file.path();
    file.keep();
    return delivered;
}

}  // namespace orou::deliver
