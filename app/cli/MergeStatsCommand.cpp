#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "core/attention/RadixStatistics.h"
#include "core/io/AtomicFileWriter.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage = R"(  merge-stats --out ALL.json [--csv ALL.csv] SHARD.json...
      adds the statistics of shards (of one model) into those of the whole
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"out", "csv"}, {});
    if (args.positional().empty() || !args.has("out"))
        throw std::invalid_argument("merge-stats needs --out ALL.json and the shard files");
    RadixStatistics all;
    for (const auto& path : args.positional()) {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot read " + path);
        std::stringstream text;
        text << in.rdbuf();
        try {
            all.merge(RadixStatistics::fromJson(text.str()));
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ": " + e.what());
        }
    }
    io::AtomicFileWriter::writeFile(args.get("out"), all.toJson() + "\n");
    if (args.has("csv"))
        io::AtomicFileWriter::writeFile(args.get("csv"), all.toCsv());
    std::cout << "merged " << args.positional().size() << " files: " << all.images() << " images -> "
              << args.get("out") << "\n";
    return 0;
}

} // namespace

CommandDispatcher::Entry mergeStatsCommand() {
    return {"merge-stats", kUsage, run, ""};
}

} // namespace resnest::cli
