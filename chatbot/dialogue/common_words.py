"""Word lists the title matcher needs to tell a title from ordinary words, in English and Chinese."""

from __future__ import annotations

# Function words and very common words: a title made only of these is "weak" and must be written
# as a title (quoted, capitalised, or with its year) to count.
STOPWORDS = frozenset(
    "a an the of and or in on at to for from by with without is it its it's are was were be been "
    "i me my we us our you your he him his she her they them their this that these those there "
    "here what which who whom how why when where not no yes so as if but up down out off over "
    "under again all any some one two three four five six seven eight nine ten do does did done "
    "have has had can could would should will just very too more most much many few other "
    "another such only own same than then now also into about like love".split()
)
COMMON_WORDS = frozenset(
    "heat big home hero signs frozen cars jaws alien aliens taken crash rush drive fury gravity "
    "inception arrival contact election together days angels story life live living time man men "
    "woman women girl girls boy boys friends family house run go get got good bad best better "
    "great little small new old young night day world war love lovers dark light fire water "
    "earth star stars sky city town road street room door game games play player love heart "
    "mind dream dreams killer killers heaven hell ghost ghosts monster monsters shining others "
    "lucky happy sad funny soul spirit rain storm snow ice sun moon red blue black white green "
    "gold money power king queen kings boss cop cops gun guns fight fighter fighters hunter "
    "hunt chase escape rescue mission doctor nurse teacher student school college office "
    "boiled hard easy simple first last final next wild free brave safe lost found "
    "birds bird dogs dog cats cat wolf horse fish shark sharks island ocean sea river mountain "
    "paper glass stone rock wall bridge train plane ship boat car bus truck bike phone watch "
    "book books music song songs dance party wedding birthday christmas holiday summer winter "
    "spring fall autumn morning evening tonight today tomorrow yesterday home alone up it her "
    "heist twist twisted ending beginning trust truth lies lie secret secrets silence noise "
    "speed split us them nope smile cure ring grudge descent saw hereditary mother father "
    "brother sister son daughter wife husband baby kid kids children people person everyone "
    "nobody somebody anything something nothing everything funny scary movie movies film films "
    "series show shows tv drama comedy action horror thriller romance documentary animation "
    "mystery crime fantasy western musical war history sport sports family adventure mom dad mum "
    "hi hello else ever never always yes remember weekend popcorn awesome date night tonight paul queen "
    "lucas batman superman taken".split()
)
# never titles unless quoted or followed by their year, however they are written
INTERJECTIONS = frozenset("yes no ok okay hello hi hey thanks sorry please wow awesome cool great nice sure may "
                          "always never remember maybe whatever anyway".split())
ZH_COMMON = frozenset("英雄 功夫 活着 侠女 醉拳 黑社会 家庭 爱情 喜剧 恐怖 科幻 电影 好看 朋友 你好 喜欢 今天 明天 时间 世界".split())
# Chinese nouns for kinds of products: a span of a product title ending in one is not that product's name
ZH_KIND_WORDS = frozenset("耳机 音箱 手机 电脑 笔记本 键盘 鼠标 显示器 手表 手环 背包 帐篷 相机 茶 咖啡 咖啡豆 水壶 电水壶 炸锅 空气炸锅 "
                          "电饭煲 锅 杯 椅 灯 充电器 充电宝 耳塞 书 套装 礼盒 机 垫 瑜伽垫 哑铃 面霜 精华 眼霜 玩具 积木 手柄 "
                          "游戏机 吸尘器 加湿器 净化器 枕头 睡袋 冲锋衣".split())
