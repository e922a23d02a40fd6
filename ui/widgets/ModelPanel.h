#pragma once

#include "ui/runtime/ModelRequest.h"
#include "ui/runtime/ModelSummary.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace resnest {

class ShortSideSpinBox;

// Which model runs, where and how: task, checkpoint (browse + recent files), architecture when the weights
// are ambiguous, device, precision and the segmentation input size. Emits a request; the controller loads it
// on the inference thread while this panel shows a busy bar.
class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(const QStringList& devices, QWidget* parent = nullptr);

    ModelRequest request() const;
    void setRequest(const ModelRequest& request);
    QStringList recentFiles() const { return recent_; }
    void setRecentFiles(const QStringList& files);
    // The model zoo's cached checkpoints, listed after the recent files.
    void setZooFiles(const QStringList& files);
    QStringList checkpointChoices() const;

    void setLoading(const QString& what);
    void setLoaded(const ModelSummary& summary);
    // `running`: the description of the model still in use, if any (the panel then shows its request again).
    void setFailed(const QString& message, const QString& running = {});
    // A line under the loaded model's description (why it is not the one asked for).
    void addNote(const QString& note);
    QString statusText() const;

    // Browse dialog, then load.
    void chooseCheckpoint();

    Q_SIGNAL void loadRequested(const resnest::ModelRequest& request);

private:
    void showPath(const QString& path);
    void addRecent(const QString& path);

    QComboBox* task_;
    QComboBox* checkpoint_; // editable, the recent list as items
    QLineEdit* arch_;
    QComboBox* device_;
    QComboBox* precision_;
    ShortSideSpinBox* shortSide_;
    QPushButton* load_;
    QProgressBar* busy_;
    QLabel* status_;
    QStringList recent_;
    QStringList zoo_;
};

} // namespace resnest
