// Small site-wide behaviour. htmx handles the partial updates.
document.body.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    document.body.appendChild(box);
  }
  var status = evt.detail.xhr.status;
  box.textContent = status === 403 ? "您无权执行此操作。" : status === 404 ? "未找到该对象。" :
    "保存失败（" + status + "），请刷新页面后重试。";
});
