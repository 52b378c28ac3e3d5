// orouboros-mbox-deliver: local delivery into an mbox or a Maildir, by the
// sendmail convention or over LMTP.  See orouboros-mbox-deliver(8).
#include "base/error.hpp"
#include "cli/options.hpp"
#include "deliver/mbox_deliver.hpp"

int main(int argc, char* argv[]) {
    namespace deliver = orou::deliver;
    const auto desc = deliver::options();
    const auto vm = orou::cli::parse(argc, argv, deliver::kSpec, desc, deliver::positional());
    return orou::run_guarded(deliver::kSpec.prog, [&] { return deliver::run(deliver::config_from(vm)); });
}
