#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/pipeline/TaskModelLoader.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage = R"(  info FILE|NAME [--arch A] [--task T] [--json]
      checkpoint format, task and head, layout (torchvision, encoding, mmsegmentation, mmdetection,
      detectron2), detected body architecture, parameter count, classes
)";

nlohmann::json infoJson(const ModelInfo& i) {
    return nlohmann::json{{"weights", i.weightsPath},
                          {"format", i.format},
                          {"container", i.container},
                          {"stripped_prefix", i.strippedPrefix},
                          {"architecture", i.architecture},
                          {"equivalent", i.equivalent},
                          {"candidates", i.candidates},
                          {"ambiguous", i.ambiguous},
                          {"custom", i.custom},
                          {"radix", i.radix},
                          {"cardinality", i.cardinality},
                          {"bottleneck_width", i.bottleneckWidth},
                          {"stem_width", i.stemWidth},
                          {"base_planes", i.basePlanes},
                          {"layers", i.layers},
                          {"classes", i.classes},
                          {"parameters", i.parameters},
                          {"ignored_entries", i.ignoredEntries},
                          {"task", i.task},
                          {"layout", i.layout},
                          {"head", i.head},
                          {"dataset", i.dataset},
                          {"input_short_side", i.inputShortSide},
                          {"input_long_side", i.inputLongSide},
                          {"notes", i.notes},
                          {"description", i.description},
                          {"class_names", i.classNames},
                          {"trained_with", i.trainedWith},
                          {"metrics", i.metrics}};
}

// For a person; --json has every field under its own key.
void printInfo(const ModelInfo& i) {
    std::cout << "file:          " << i.weightsPath << "\n";
    if (!i.description.empty())
        std::cout << "model:         " << i.description << "\n";
    std::cout << "task:          " << i.task << (i.head.empty() ? "" : ": " + i.head) << "\n"
              << "format:        " << i.format
              << (i.container.empty() ? "" : " (state dict under '" + i.container + "')") << "\n";
    if (!i.strippedPrefix.empty())
        std::cout << "key prefix:    " << i.strippedPrefix << " (stripped)\n";
    std::cout << "architecture:  " << i.architecture;
    for (const auto& e : i.equivalent)
        std::cout << " (= " << e << ")";
    std::cout << "\n";
    if (i.ambiguous) {
        std::cout << "               ambiguous, the weights also fit:";
        for (const auto& c : i.candidates)
            std::cout << " " << c;
        std::cout << " (pass --arch)\n";
    }
    std::cout << "structure:     radix " << i.radix << ", cardinality " << i.cardinality << ", width "
              << i.bottleneckWidth << ", stem " << i.stemWidth << ", blocks";
    for (int n : i.layers)
        std::cout << " " << n;
    std::cout << "\nparameters:    " << i.parameters << "\nclasses:       " << i.classes
              << (i.dataset.empty() ? "" : " (" + i.dataset + ")") << "\n";
    if (!i.layout.empty())
        std::cout << "layout:        " << i.layout << "\n";
    if (i.inputShortSide > 0 && i.inputLongSide > 0)
        std::cout << "input:         shorter side " << i.inputShortSide << " px, longer side at most "
                  << i.inputLongSide << " px, unless told otherwise\n";
    else if (i.inputShortSide > 0)
        std::cout << "input:         shorter side " << i.inputShortSide << " px unless told otherwise\n";
    else if (i.inputLongSide > 0)
        std::cout << "input:         longer side " << i.inputLongSide << " px unless told otherwise\n";
    for (const auto& n : i.notes)
        std::cout << "note:          " << n << "\n";
    if (!i.trainedWith.empty())
        std::cout << "trained with:  " << i.trainedWith << "\n";
    for (const auto& [name, value] : i.metrics)
        std::cout << "metric:        " << name << " " << value << "\n";
    if (!i.ignoredEntries.empty()) {
        std::cout << "ignored:      ";
        for (const auto& e : i.ignoredEntries)
            std::cout << " " << e;
        std::cout << "\n";
    }
}

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, {"arch", "task", "catalogue"}, {"json"});
    if (args.positional().size() != 1)
        throw std::invalid_argument("info needs exactly one checkpoint file (or catalogue name)");
    ModelSpec spec;
    spec.weights = ModelOptions::resolveCheckpoint(args.positional()[0], args.get("catalogue"), "info");
    spec.arch = args.get("arch");
    spec.task = args.get("task");
    const ModelInfo i = TaskModelLoader::inspect(spec);
    if (args.has("json"))
        std::cout << infoJson(i).dump(2) << "\n";
    else
        printInfo(i);
    return 0;
}

} // namespace

CommandDispatcher::Entry infoCommand() {
    return {"info", kUsage, run, ""};
}

} // namespace resnest::cli
