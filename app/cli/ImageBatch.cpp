#include "app/cli/ImageBatch.h"

#include "app/cli/ModelOptions.h"

#include <exception>
#include <iostream>
#include <stdexcept>

namespace resnest::cli {

int ImageBatch::run(const std::vector<std::string>& images, bool printJson, const Step& step) {
    nlohmann::json all = nlohmann::json::array();
    int failures = 0;
    for (std::size_t i = 0; i < images.size(); ++i) {
        nlohmann::json entry{{"image", images[i]}};
        try {
            step(i, entry);
        } catch (const std::exception& e) {
            ++failures;
            entry["error"] = e.what();
            std::cerr << "error: " << e.what() << "\n";
        }
        all.push_back(entry);
    }
    if (printJson)
        std::cout << all.dump(2) << "\n";
    return failures ? 1 : 0;
}

std::unique_ptr<Predictor> ImageBatch::load(const ArgumentList& args, const std::string& task) {
    if (args.positional().empty())
        throw std::invalid_argument(task + " needs at least one image");
    ModelSpec spec = ModelOptions::modelSpec(args, task);
    spec.task = task;
    return Predictor::load(spec);
}

} // namespace resnest::cli
