#pragma once

#include "core/api/Prediction.h"
#include "core/imaging/PredictionRenderer.h"
#include "ui/runtime/ModelRequest.h"

#include <QObject>
#include <QString>
#include <atomic>

namespace resnest {

// Runs a whole video through a model of its own and writes it again with the overlays drawn (VideoExport:
// the output appears only when complete), on the thread it lives on; the GUI shows `progress` and may
// `cancel` from any thread.
class VideoExportJob : public QObject {
    Q_OBJECT
public:
    VideoExportJob(ModelRequest model, PredictOptions predict, OverlayOptions overlay,
                   QObject* parent = nullptr);

    void cancel() { cancelled_.store(true); }

    Q_SLOT void run(const QString& input, const QString& output);

    Q_SIGNAL void progress(qint64 done, qint64 total);
    Q_SIGNAL void finished(const QString& output, qint64 frames);
    Q_SIGNAL void cancelled();
    Q_SIGNAL void failed(const QString& message);

private:
    ModelRequest model_;
    PredictOptions predict_;
    OverlayOptions overlay_;
    std::atomic<bool> cancelled_{false};
};

} // namespace resnest
