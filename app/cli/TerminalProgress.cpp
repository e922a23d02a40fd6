#include "app/cli/TerminalProgress.h"

#include <cstdio>
#include <unistd.h>

namespace resnest::cli {

namespace {

std::string megabytes(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    return text;
}

} // namespace

TerminalProgress::TerminalProgress(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}

std::string TerminalProgress::fetch(const ModelZoo& zoo, const CatalogueEntry& entry) {
    TerminalProgress progress(entry.name);
    Downloader::Options options = Downloader::defaultOptions();
    options.progress = progress.callback();
    const std::string path = zoo.fetch(entry, options);
    progress.finish();
    return path;
}

std::function<void(const DownloadProgress&)> TerminalProgress::callback() {
    return [this](const DownloadProgress& p) { show(p); };
}

void TerminalProgress::show(const DownloadProgress& p) {
    const double fraction = p.total > 0 ? double(p.received) / double(p.total) : 0.0;
    if (!tty_) {
        const int decile = int(fraction * 10);
        if (p.total <= 0 || decile == lastDecile_)
            return;
        lastDecile_ = decile;
        std::fprintf(stderr, "%s: %d%% of %s%s\n", label_.c_str(), decile * 10,
                     megabytes(double(p.total)).c_str(), p.resumed ? " (resumed)" : "");
        return;
    }
    constexpr int kWidth = 28;
    const int filled = int(fraction * kWidth);
    std::string bar(size_t(filled), '#');
    bar.resize(kWidth, ' ');
    const double eta =
        p.bytesPerSecond > 0 && p.total > 0 ? double(p.total - p.received) / p.bytesPerSecond : -1;
    char etaText[32] = "";
    if (eta >= 0)
        std::snprintf(etaText, sizeof etaText, "ETA %.0f s", eta);
    std::fprintf(stderr, "\r%s [%s] %3.0f%% %s / %s %s/s %s   ", label_.c_str(), bar.c_str(), fraction * 100,
                 megabytes(double(p.received)).c_str(),
                 p.total > 0 ? megabytes(double(p.total)).c_str() : "?", megabytes(p.bytesPerSecond).c_str(),
                 etaText);
    std::fflush(stderr);
    drawn_ = true;
}

void TerminalProgress::finish() {
    if (tty_ && drawn_)
        std::fprintf(stderr, "\n");
    drawn_ = false;
}

} // namespace resnest::cli
