#pragma once

#include <QDialog>
#include <QPointer>
#include <QThread>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace resnest {

class ModelZoo;
class ZooFetchJob;

// File → Open pretrained model: the model catalogue filtered by task and dataset, with each checkpoint's
// published metric, size and whether it is cached. Choosing one downloads it on a worker thread (progress,
// cancel; the window and its current model stay usable) and hands the verified file on. Errors are shown in
// the dialog.
class PretrainedModelDialog : public QDialog {
    Q_OBJECT
public:
    explicit PretrainedModelDialog(QWidget* parent = nullptr);
    ~PretrainedModelDialog() override;

    // Selects an entry by name; false when the filters hide it or it does not exist.
    bool select(const QString& name);
    // Downloads the selected entry if needed, then emits modelChosen.
    void openSelected();
    void cancelDownload();
    bool downloading() const { return !job_.isNull(); }
    QString statusText() const;
    int rowCount() const;

    // The verified local file and the entry's task ("classify", "segment", "detect").
    Q_SIGNAL void modelChosen(const QString& path, const QString& task);

protected:
    void reject() override;

private:
    void fill();
    void setBusy(bool busy);

    std::shared_ptr<const ModelZoo> zoo_;
    QComboBox* task_;
    QComboBox* dataset_;
    QCheckBox* unsupported_;
    QTreeWidget* table_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* open_;
    QPushButton* cancel_;
    QThread thread_;
    QPointer<ZooFetchJob> job_;
};

} // namespace resnest
